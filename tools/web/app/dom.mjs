// Building the page's DOM from data: text always goes in as text nodes, never as markup, so a school
// name, a search query or a server message can never inject HTML.

/// h('p', {class: 'x', onclick: f}, 'text', child...) -> an element. Attributes starting with `on`
/// become listeners; `null`/`false` children and attributes are skipped; arrays are flattened.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/// Replaces an element's content.
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const whole = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });
const two = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/// A number for people: thousands separated; '–' for missing.
export function num(v, digits = 0) {
  if (v === null || v === undefined || v === '' || Number.isNaN(Number(v))) return '–';
  return (digits === 0 ? whole : digits === 1 ? one : two).format(Number(v));
}

/// A drive time in minutes, with "estimate" spelt out when it is one (a straight-line time).
export function minutes(v, estimate) {
  if (v === null || v === undefined) return h('span', {}, 'no time');
  return h('span', {}, `${num(v, 0)} min`, estimate ? h('span', { class: 'estimate' }, ' (estimate: straight line)') : null);
}

/// Definition list from [label, value] pairs (value may be a node); pairs with undefined values skipped.
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined)
    .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v === null ? '–' : v)]));
}
