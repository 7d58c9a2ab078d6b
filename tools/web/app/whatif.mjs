// What if: a new venue at a place a lead clicks (or a school), or an existing venue switched off, run by
// the server as a scenario (POST /scenarios) that never changes the served results; and venue
// suggestions (POST /suggestions). Refusals (401 without the write token, 429 when busy, a timeout) are
// said in words and the page stays usable.
import { h, num } from './dom.mjs';
import { getJson, url } from './api.mjs';

const TOKEN_KEY = 'coldspot-write-token';
const BANDS = [15, 30, 45];

function authHeaders() {
  const t = sessionStorage.getItem(TOKEN_KEY);
  return t ? { Authorization: `Bearer ${t}` } : {};
}

/// POST with the write token when one was given; a 401 asks for it once and retries.
async function submit(path, body) {
  try {
    return await getJson(path, { method: 'POST', body, headers: authHeaders() });
  } catch (e) {
    if (e.status !== 401) throw e;
    const token = window.prompt(`${e.message}\nEnter the server's write token to run it (kept for this browser tab only):`);
    if (!token) throw e;
    sessionStorage.setItem(TOKEN_KEY, token);
    return getJson(path, { method: 'POST', body, headers: authHeaders() });
  }
}

const FINISHED = new Set(['succeeded', 'failed', 'timed_out', 'cancelled']);

/// Runs a what-if job: POST /scenarios or /suggestions answers 202 with the job; its state is polled
/// until it has finished. Returns the job (its `result` when it succeeded); throws with a sentence
/// for a job that failed, timed out, or took longer than `timeout` ms here.
export async function runJob(kind, body, { timeout = 180000, onProgress = () => {} } = {}) {
  let job = await submit(`/${kind}`, body);
  const started = Date.now();
  while (!FINISHED.has(job.state)) {
    if (Date.now() - started > timeout) throw new Error(`The server has not finished after ${timeout / 1000} s; try again later.`);
    onProgress(job);
    await new Promise((r) => setTimeout(r, 400));
    job = await getJson(`/${kind}/${encodeURIComponent(job.id)}`);
  }
  if (job.state === 'timed_out') throw new Error(`The server stopped it at its time limit (${job.error || 'too long'}).`);
  if (job.state !== 'succeeded') throw new Error(`It ${job.state === 'cancelled' ? 'was cancelled' : 'failed'}: ${job.error || 'no reason given'}.`);
  return job;
}

/// Rows {type, minutes, schools: [before, after], pupils: [before, after]} from the scenario result.
export function bandRows(result) {
  const rows = [];
  for (const [type, ba] of Object.entries(result.access || {})) {
    for (const m of BANDS) {
      const b = ba.before?.[m];
      const a = ba.after?.[m];
      if (b || a) rows.push({ type, minutes: m, schools: [b?.schools, a?.schools], pupils: [b?.pupils, a?.pupils] });
    }
  }
  return rows;
}

const signed = (a, b) => (a === undefined || b === undefined || a === null || b === null ? '–' : `${b - a >= 0 ? '+' : '−'}${num(Math.abs(b - a))}`);
const giWord = (bin) => (bin > 0 ? `cold spot (${bin === 3 ? 99 : bin === 2 ? 95 : 90} %)` : bin < 0 ? 'well served' : 'not significant');

export function scenarioResult(result, what) {
  const rows = bandRows(result);
  const changed = result.changed_schools?.items ?? [];
  const count = result.changed_schools?.count ?? changed.length;
  const cs = result.cold_spot_schools;
  return [
    h('h3', {}, 'What-if result'),
    h('p', {}, what, '. The served map and lists are unchanged.'),
    h('table', { class: 'scenario' },
      h('caption', { class: 'sr-only' }, 'Schools and pupils within each drive time of their nearest venue, now and with the change'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Hub type'), h('th', { scope: 'col' }, 'Within'), h('th', { scope: 'col', class: 'n' }, 'Schools now'),
        h('th', { scope: 'col', class: 'n' }, 'With the change'), h('th', { scope: 'col', class: 'n' }, 'Change'), h('th', { scope: 'col', class: 'n' }, 'Pupils change'))),
      h('tbody', {}, rows.map((r) => h('tr', { dataset: { type: r.type, minutes: r.minutes } },
        h('td', {}, r.type), h('td', {}, `${r.minutes} min`), h('td', { class: 'n' }, num(r.schools[0])), h('td', { class: 'n' }, num(r.schools[1])),
        h('td', { class: 'n' }, signed(r.schools[0], r.schools[1])), h('td', { class: 'n' }, signed(r.pupils[0], r.pupils[1])))))),
    cs ? h('p', { class: 'coldspot-count' }, `Schools in a significant cold spot: ${num(cs.before)} now, ${num(cs.after)} with the change.`) : null,
    h('p', {}, count ? `${num(count)} school${count === 1 ? '' : 's'} change cold-spot class:` : 'No school changes cold-spot class.'),
    changed.length ? h('ul', { class: 'changes' }, changed.slice(0, 30).map((c) => h('li', {},
      `${c.name || c.urn}: ${giWord(c.gi_bin_before)} → ${giWord(c.gi_bin_after)}`))) : null,
    count > 30 ? h('p', {}, `… and ${num(count - 30)} more.`) : null,
    (result.notes || []).some((n) => /straight|estimat/i.test(n)) ? h('p', { class: 'estimate' }, 'Some of these times are straight-line estimates: ', result.notes.filter((n) => /straight|estimat/i.test(n)).join(' ')) : null,
  ];
}

/// The suggested venues in words, their points for the map, and download links.
export function suggestionsResult(job) {
  const r = job.result;
  const picks = r.picks || [];
  const geojson = { type: 'FeatureCollection', features: picks.filter((p) => p.point).map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p.point }, properties: { order: p.order, name: p.name } })) };
  return { geojson, nodes: [
    h('h3', {}, `Suggested ${r.hub_type} venues`),
    h('p', {}, `Within ${num(r.cutoff_minutes)} minutes: ${num(r.covered_before, 1)} now, ${num(r.covered_after, 1)} with these venues (of ${num(r.total, 1)}; each school weighted by its cold-spot index).`,
      // Drive times on the road graph, or straight-line estimates (all, or for schools off the roads): marked.
      r.by_road && !r.estimated_schools ? ' Times are drive times on the road graph.'
        : h('span', { class: 'estimate' }, r.by_road ? ` Times are by road, except ${num(r.estimated_schools)} schools beyond road coverage: straight-line estimates for them.`
          : ' Times are straight-line estimates (no road graph).')),
    picks.length ? h('ol', { class: 'suggestions' }, picks.map((p) => h('li', {}, p.name || `${num(p.point?.[1], 4)}, ${num(p.point?.[0], 4)}`, ` (adds ${num(p.gain, 1)})`))) : h('p', {}, 'No new venue would bring more schools within reach.'),
    h('p', {}, 'Download: ', h('a', { href: url(`/suggestions/${encodeURIComponent(job.id)}?f=csv`), download: 'suggested-venues.csv' }, 'CSV'), ' · ',
      h('a', { href: url(`/suggestions/${encodeURIComponent(job.id)}?f=geojson`), download: 'suggested-venues.geojson' }, 'GeoJSON')),
  ] };
}
