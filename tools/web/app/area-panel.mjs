// The hub and local-authority panels: dashboard figures, the ranked schools to reach first (the same list
// as `coldspot target`), downloads, the printable briefing and the what-if tools.
import { h, num, facts } from './dom.mjs';
import { url, has } from './api.mjs';

/// Dashboard fields in words, in the order a lead reads them; other numeric fields follow as they are.
const FIGURES = [
  ['schools', 'Schools', 0],
  ['pupils', 'Pupils', 0],
  ['deprived_schools', 'Schools in the most deprived 20 % of areas', 0],
  ['coldspot_schools', 'Schools in a cold spot', 0],
  ['cold_spot_schools', 'Schools in a cold spot', 0],
  ['median_minutes', 'Median drive time to a venue (min)', 0],
  ['worst_minutes', 'Longest drive time to a venue (min)', 0],
  ['max_minutes', 'Longest drive time to a venue (min)', 0],
  ['estimated_share', 'Share of drive times that are estimates', 'pct'],
  ['share_estimated', 'Share of drive times that are estimates', 'pct'],
];

function figure(v, kind) {
  if (kind === 'pct') return v === null || v === undefined ? '–' : `${num(Number(v) <= 1 ? Number(v) * 100 : v, 0)} %`;
  return num(v, kind);
}

export function dashboardFacts(d) {
  const seen = new Set();
  const pairs = [];
  for (const [k, label, kind] of FIGURES) {
    if (d[k] === undefined || seen.has(label)) continue;
    seen.add(label);
    pairs.push([label, h('span', { dataset: { field: k } }, figure(d[k], kind))]);
  }
  return facts(pairs);
}

function targetsTable(rows, actions) {
  if (!rows.length) return h('p', {}, 'No school to list.');
  return h('table', { class: 'targets' },
    h('caption', { class: 'sr-only' }, 'Schools to reach first, most urgent first'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'n' }, 'Rank'), h('th', { scope: 'col' }, 'School'), h('th', { scope: 'col', class: 'n' }, 'Index'), h('th', { scope: 'col' }, 'Why'))),
    h('tbody', {}, rows.map((r) => h('tr', { dataset: { urn: r.urn } },
      h('td', { class: 'n' }, num(r.rank)),
      h('td', {}, h('a', { href: `?school=${r.urn}`, onclick: (e) => { e.preventDefault(); actions.openSchool(r.urn); } }, r.name)),
      h('td', { class: 'n' }, num(r.coldspot_index, 1)),
      h('td', {}, r.reasons || '')))));
}

/// kind: 'hub' | 'authority'; base: '/hubs/ID' or '/authorities/CODE'.
export function areaPanel(kind, id, dashboard, targets, { actions, withTargets }) {
  const base = `/${kind === 'hub' ? 'hubs' : 'authorities'}/${encodeURIComponent(id)}`;
  const name = dashboard.name || dashboard.hub_name || dashboard.la_name || id;
  const partial = dashboard.partial_districts ? String(dashboard.partial_districts).split(';').filter(Boolean) : [];
  const rows = targets?.rows ?? targets?.targets ?? targets?.features?.map((f) => f.properties) ?? [];
  return [
    h('h2', { id: 'panel-title', tabindex: '-1' }, name),
    h('p', {}, kind === 'hub' ? `${dashboard.hub_type ? `${dashboard.hub_type[0].toUpperCase()}${dashboard.hub_type.slice(1)}` : 'Hub'}` : 'Local authority',
      dashboard.lead_name ? `, led by ${dashboard.lead_name}` : ''),
    partial.length ? h('p', { class: 'estimate' }, `Partial districts (${partial.join(', ')}): the source splits them between hubs without a boundary, so their schools count for every hub that shares them.`) : null,
    h('p', {}, h('button', { type: 'button', onclick: () => actions.zoomTo(dashboard.bbox) }, 'Zoom to the footprint'),
      has(`/briefings/${kind === 'hub' ? 'hubs' : 'authorities'}/{id}`)
        ? h('a', { class: 'button', id: 'briefing-link', href: url(`/briefings${base}`), target: '_blank', rel: 'noopener' }, 'Printable briefing (opens a new tab)') : null),
    h('h3', {}, 'Dashboard'),
    dashboardFacts(dashboard),
    h('h3', {}, 'Schools to reach first'),
    targets ? targetsTable(rows, actions) : h('p', {}, 'The ranked list is not available on this server yet.'),
    withTargets ? h('p', {}, 'Download the whole list: ',
      h('a', { href: url(`${base}/targets?f=csv`), download: `${id}-targets.csv`, id: 'download-csv' }, 'CSV (opens in Excel)'), ' · ',
      h('a', { href: url(`${base}/targets?f=geojson`), download: `${id}-targets.geojson`, id: 'download-geojson' }, 'GeoJSON (for GIS)')) : null,
    kind === 'hub' && (has('/scenarios') || has('/suggestions')) ? [
      h('h3', {}, 'What if'),
      h('p', {}, 'See how many schools would be within 15, 30 and 45 minutes with another venue, or without one. The served results do not change.'),
      h('p', {},
        has('/scenarios') ? h('button', { type: 'button', id: 'pick-venue', onclick: () => actions.pickVenue(dashboard.hub_type) }, 'Pick a place on the map as a new venue') : null,
        has('/suggestions') ? h('button', { type: 'button', id: 'suggest', onclick: () => actions.suggest(dashboard.hub_type) }, 'Suggest venues') : null),
    ] : null,
  ];
}
