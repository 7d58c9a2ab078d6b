// What if: a new venue at a place a lead clicks (or a school), or an existing venue switched off, run by
// the server as a scenario (POST /scenarios) that never changes the served results; and venue
// suggestions (POST /suggestions). Refusals (401 without the write token, 429 when busy, a timeout) are
// said in words and the page stays usable.
import { h, num } from './dom.mjs';
import { getJson } from './api.mjs';

const TOKEN_KEY = 'coldspot-write-token';
const BANDS = [15, 30, 45];

function authHeaders() {
  const t = sessionStorage.getItem(TOKEN_KEY);
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/// POST with the write token when one was given; a 401 asks for it once and retries.
export async function post(path, body, { timeout = 130000 } = {}) {
  try {
    return await getJson(path, { method: 'POST', body, timeout, headers: authHeaders() });
  } catch (e) {
    if (e.status !== 401) throw e;
    const token = window.prompt(`${e.message}\nEnter the server's write token to run it (kept for this browser tab only):`);
    if (!token) throw e;
    sessionStorage.setItem(TOKEN_KEY, token);
    return getJson(path, { method: 'POST', body, timeout, headers: authHeaders() });
  }
}

/// Rows {minutes, schools: [before, after], pupils: [before, after]} from the scenario answer.
export function bandRows(result) {
  if (Array.isArray(result.bands)) {
    return result.bands.map((b) => ({ minutes: b.minutes,
      schools: [b.schools_before ?? b.before?.schools, b.schools_after ?? b.after?.schools],
      pupils: [b.pupils_before ?? b.before?.pupils, b.pupils_after ?? b.after?.pupils] }));
  }
  const before = result.before?.within ?? result.before ?? {};
  const after = result.after?.within ?? result.after ?? {};
  return BANDS.filter((m) => before[m] || after[m]).map((m) => ({ minutes: m,
    schools: [before[m]?.schools, after[m]?.schools], pupils: [before[m]?.pupils, after[m]?.pupils] }));
}

const signed = (a, b) => (a === undefined || b === undefined ? '–' : `${b - a >= 0 ? '+' : '−'}${num(Math.abs(b - a))}`);

export function scenarioResult(result, what) {
  const rows = bandRows(result);
  const changed = result.changed_coldspots ?? result.coldspot_changes ?? result.changes ?? [];
  return [
    h('h3', {}, 'What-if result'),
    h('p', {}, what, '. The served map and lists are unchanged.'),
    h('table', { class: 'scenario' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Within'), h('th', { scope: 'col', class: 'n' }, 'Schools now'), h('th', { scope: 'col', class: 'n' }, 'With the change'),
        h('th', { scope: 'col', class: 'n' }, 'Change'), h('th', { scope: 'col', class: 'n' }, 'Pupils change'))),
      h('tbody', {}, rows.map((r) => h('tr', { dataset: { minutes: r.minutes } },
        h('td', {}, `${r.minutes} min`), h('td', { class: 'n' }, num(r.schools[0])), h('td', { class: 'n' }, num(r.schools[1])),
        h('td', { class: 'n' }, signed(r.schools[0], r.schools[1])), h('td', { class: 'n' }, signed(r.pupils[0], r.pupils[1])))))),
    result.estimate || result.time_is_estimate ? h('p', { class: 'estimate' }, 'Some of these times are straight-line estimates.') : null,
    h('p', {}, changed.length ? `${num(changed.length)} school${changed.length === 1 ? '' : 's'} change cold-spot class:` : 'No school changes cold-spot class.'),
    changed.length ? h('ul', { class: 'changes' }, changed.slice(0, 30).map((c) => h('li', {},
      `${c.name ?? c.urn}: ${c.label_before ?? c.gi_bin_before ?? c.before} → ${c.label_after ?? c.gi_bin_after ?? c.after}`))) : null,
  ];
}

/// A readable sentence for the list of suggested venues.
export function suggestionsResult(result, hubType) {
  const rows = result.suggestions ?? result.venues ?? result.features?.map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] })) ?? [];
  const geojson = { type: 'FeatureCollection', features: rows.filter((r) => r.lon !== undefined).map((r) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [r.lon, r.lat] }, properties: r })) };
  const href = URL.createObjectURL(new Blob([JSON.stringify(geojson)], { type: 'application/geo+json' }));
  return { geojson, nodes: [
    h('h3', {}, `Suggested ${hubType} venues`),
    rows.length ? h('ol', { class: 'suggestions' }, rows.map((r) => h('li', {}, r.name ?? `${num(r.lat, 2)}, ${num(r.lon, 2)}`,
      r.schools_gained !== undefined ? ` — ${num(r.schools_gained)} more schools within reach` : '',
      r.gain !== undefined ? ` — gain ${num(r.gain, 1)}` : ''))) : h('p', {}, 'No venue would help.'),
    h('p', {}, h('a', { href, download: 'suggested-venues.geojson' }, 'Download the suggestions (GeoJSON)')),
  ] };
}
