// The search box: part of a school name, a URN, a postcode, a hub or a local authority. A combobox
// (WAI-ARIA 1.2 pattern): arrow keys move through the results, Enter opens one, Escape closes the list.
// Results are written as text nodes: a query or a name with markup in it stays text.
import { h, fill } from './dom.mjs';
import { getJson, has } from './api.mjs';

const KIND = { school: 'School', hub: 'Hub', authority: 'Local authority', postcode: 'Postcode' };

export function renderSearch(root, { onPick, onError }) {
  const input = h('input', { type: 'search', id: 'search-input', maxlength: 200, autocomplete: 'off',
    placeholder: 'School, URN, postcode, hub or authority', role: 'combobox', 'aria-expanded': 'false',
    'aria-controls': 'search-results', 'aria-autocomplete': 'list', 'aria-label': 'Search for a school, URN, postcode, hub or local authority' });
  const list = h('ul', { id: 'search-results', role: 'listbox', 'aria-label': 'Search results', hidden: true });
  const status = h('span', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  fill(root, input, list, status);
  let results = [];
  let active = -1;
  let asked = 0;
  let timer = null;

  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0) { input.setAttribute('aria-activedescendant', `search-result-${i}`); list.children[i].scrollIntoView({ block: 'nearest' }); }
  };
  const pick = (i) => { const r = results[i]; if (!r) return; close(); input.value = r.name; onPick(r); };
  const show = (query, rs) => {
    results = rs;
    fill(list, rs.length ? rs.map((r, i) => h('li', { id: `search-result-${i}`, role: 'option', 'aria-selected': 'false',
      onmousedown: (e) => { e.preventDefault(); pick(i); } },
      `${r.name}`, h('small', {}, [KIND[r.kind] || r.kind, r.detail].filter(Boolean).join(' · '))))
      : h('li', { role: 'option', 'aria-disabled': 'true' }, `Nothing matches “${query.slice(0, 60)}”.`));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    status.textContent = `${rs.length} result${rs.length === 1 ? '' : 's'}`;
    active = -1;
  };
  const run = async () => {
    // A name, URN or postcode is short: longer text (a paste gone wrong) is cut, not sent whole.
    const q = input.value.trim().slice(0, 100);
    if (q.length < 2) { close(); return; }
    if (!has('/search')) { onError('Search is not available on this server: open a school from the map.'); return; }
    const mine = ++asked;
    try {
      const doc = await getJson(`/search?q=${encodeURIComponent(q)}&limit=8`);
      if (mine === asked) show(q, doc.results || []);
    } catch (e) {
      if (mine === asked) { close(); onError(e.status === 404 ? 'Search is not available on this server.' : e.message); }
    }
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 150); });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && results.length) { e.preventDefault(); highlight(Math.min(active + 1, results.length - 1)); }
    else if (e.key === 'ArrowUp' && results.length) { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (e.key === 'Enter') { e.preventDefault(); clearTimeout(timer); if (active >= 0) pick(active); else if (!list.hidden && results.length) pick(0); else run(); }
    else if (e.key === 'Escape') close();
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
  return { input, search: async (q) => { input.value = q; await run(); return results; } };
}
