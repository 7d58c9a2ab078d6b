// The hub and local-authority panels: dashboard figures, the ranked schools to reach first (the same list
// as `coldspot target`), downloads, the printable briefing and the what-if tools.
import { h, num, facts } from './dom.mjs';
import { url, has } from './api.mjs';

/// The dashboard in words: the API's `figures` (schools, pupils, deprived and cold-spot schools, and per
/// hub type the median and worst drive time and the share of times that are estimates).
export function dashboardFacts(d) {
  const f = d.figures ?? d;
  const pairs = [
    ['Schools', h('span', { dataset: { field: 'schools' } }, num(f.schools))],
    ['Pupils', h('span', { dataset: { field: 'pupils' } }, num(f.pupils))],
    ['Schools in the most deprived 20 % of areas', f.deprived_schools === undefined ? undefined : h('span', { dataset: { field: 'deprived_schools' } }, num(f.deprived_schools))],
    ['Schools in a significant cold spot', f.cold_spot_schools === undefined ? undefined : h('span', { dataset: { field: 'cold_spot_schools' } }, num(f.cold_spot_schools))],
  ];
  for (const [type, t] of Object.entries(f.drive_times ?? {})) {
    const share = Number(t.estimated_share ?? 0);
    pairs.push([`Median drive to the nearest ${type} venue`, h('span', { dataset: { field: `median_minutes:${type}` } }, `${num(t.median_minutes)} min`)]);
    pairs.push([`Longest drive to the nearest ${type} venue`, h('span', { dataset: { field: `worst_minutes:${type}` } }, `${num(t.worst_minutes)} min`)]);
    pairs.push([`Share of those times that are estimates`, h('span', { dataset: { field: `estimated_share:${type}` }, class: share > 0 ? 'estimate' : null },
      `${num(share * 100)} %${share > 0 ? ' (straight-line estimates)' : ''}`)]);
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
export function areaPanel(kind, id, dashboard, targets, { actions, withTargets, venues = [] }) {
  const base = `/${kind === 'hub' ? 'hubs' : 'authorities'}/${encodeURIComponent(id)}`;
  const name = dashboard.name || dashboard.hub_name || dashboard.la_name || id;
  const partial = dashboard.partial_districts ? String(dashboard.partial_districts).split(';').filter(Boolean) : [];
  const rows = targets?.items ?? [];
  return [
    h('h2', { id: 'panel-title', tabindex: '-1' }, name),
    h('p', {}, kind === 'hub' ? `${dashboard.hub_type ? `${dashboard.hub_type[0].toUpperCase()}${dashboard.hub_type.slice(1)}` : 'Hub'}` : 'Local authority',
      dashboard.lead_name ? `, led by ${dashboard.lead_name}` : ''),
    partial.length ? h('p', { class: 'estimate' }, `Partial districts (${partial.join(', ')}): the source splits them between hubs without a boundary, so their schools count for every hub that shares them.`) : null,
    h('p', {}, h('button', { type: 'button', onclick: () => actions.zoomTo(dashboard.bbox) }, 'Zoom to the footprint'),
      has(`/briefings/${kind === 'hub' ? 'hubs' : 'authorities'}/{id}`)
        ? h('a', { class: 'button', id: 'briefing-link', href: url(`/briefings${base}`), target: '_blank', rel: 'noopener' }, 'Printable briefing (opens a new tab)') : null),
    h('h3', {}, 'Dashboard'),
    dashboard.no_figures ? h('p', {}, 'This server gives no dashboard figures for an authority; the ranked list and the briefing below are complete.') : dashboardFacts(dashboard),
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
        has('/suggestions') ? h('button', { type: 'button', id: 'suggest', onclick: () => actions.suggest(dashboard.hub_type) }, 'Suggest venues among the schools') : null,
        has('/suggestions') ? h('button', { type: 'button', id: 'pick-sites', onclick: () => actions.pickSites(dashboard.hub_type) }, 'Suggest among places I pick') : null),
      venues.length && has('/scenarios') ? [h('p', {}, 'Or see what happens if one of its venues closed:'),
        h('ul', { class: 'venue-list' }, venues.map((v) => h('li', {}, `${v.properties.name} (${v.properties.kind}) `,
          h('button', { type: 'button', onclick: () => actions.removeVenue(v.properties) }, 'What if it closed?'))))] : null,
    ] : null,
  ];
}
