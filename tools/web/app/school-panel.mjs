// The school panel: the one-stop record (/schools/{urn}) in words. Every time that is a straight-line
// estimate says so next to the number; every flag is spelt out.
import { h, num, minutes, facts } from './dom.mjs';
import { has } from './api.mjs';

const COMPONENTS = {
  access: 'Distance to hub venues',
  deprivation: 'Deprivation of the neighbourhood',
  need: 'School-level need (free school meals, funding list)',
  rurality: 'Rural location',
  remit: 'Hub remit gaps or overlaps',
  engagement: 'Low take-up in the authority',
};

const GI_WORDS = {
  3: 'in a cold spot (99 % confidence): it and its neighbours are poorly served',
  2: 'in a cold spot (95 % confidence)',
  1: 'in a cold spot (90 % confidence)',
  0: 'not in a significant cold or well-served cluster',
  '-1': 'in a well-served cluster (90 % confidence)',
  '-2': 'in a well-served cluster (95 % confidence)',
  '-3': 'in a well-served cluster (99 % confidence)',
};

const list = (v) => String(v ?? '').split(';').map((s) => s.trim()).filter(Boolean);
const first = (rows) => (Array.isArray(rows) && rows.length ? rows[0] : null);

/// Is this access row's time an estimate (straight line) rather than a road route?
export function isEstimate(row) {
  if (row.time_is_estimate !== undefined) return !!row.time_is_estimate;
  return row.method !== undefined ? row.method !== 'road' : row.access_method === 'straight_line';
}

function hubsSection(record, actions) {
  const rows = record.remits || [];
  if (!rows.length) return [h('h3', {}, 'Hubs'), h('p', {}, 'No hub of any type covers this school.')];
  return [h('h3', {}, 'Hubs whose remit covers it'),
    h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Hub'), h('th', { scope: 'col' }, 'Lead school'))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('td', {}, r.hub_type),
        h('td', {}, h('a', { href: `?hub=${encodeURIComponent(r.hub_id)}`, onclick: (e) => { e.preventDefault(); actions.openHub(r.hub_id); } }, r.hub_name || r.hub_id),
          r.placement && r.placement !== 'interior' ? h('span', { class: 'estimate' }, ` (school on the footprint's ${r.placement === 'snapped' ? 'edge, snapped' : 'boundary'})`) : null),
        h('td', {}, r.lead_name || r.lead_school_name || (r.lead_urn ? `URN ${r.lead_urn}` : '–'))))))];
}

/// Nearest venue per hub type: from hub_venues (the venues open to the school) or school_access rows.
export function nearestVenues(record) {
  const byType = new Map();
  // hub_venues rows with a time are the venues open to the school (the API's record); otherwise the
  // access step's `nearest` rows.
  for (const r of record.hub_venues || []) if (r.hub_type && r.minutes !== undefined && !byType.has(r.hub_type)) byType.set(r.hub_type, r);
  for (const r of record.access || []) {
    if (r.role !== 'nearest' || byType.has(r.hub_type)) continue;
    byType.set(r.hub_type, r);
  }
  return [...byType.values()].map((r) => ({
    hub_type: r.hub_type,
    venue: r.venue_name ?? r.venue ?? r.name ?? null,
    minutes: r.minutes ?? null,
    estimate: isEstimate(r),
  })).sort((a, b) => a.hub_type.localeCompare(b.hub_type));
}

function venuesSection(record) {
  const rows = nearestVenues(record);
  if (!rows.length) return [];
  return [h('h3', {}, 'Nearest hub venue of each type'),
    h('table', { class: 'venues' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Venue'), h('th', { scope: 'col', class: 'n' }, 'Drive time'))),
      h('tbody', {}, rows.map((r) => h('tr', { dataset: { hubType: r.hub_type } },
        h('td', {}, r.hub_type), h('td', {}, r.venue ?? '–'), h('td', { class: 'n' }, minutes(r.minutes, r.estimate)))))),
    rows.some((r) => r.estimate) ? h('p', { class: 'estimate' }, 'An estimate is a straight-line distance × 1.3 at a typical speed, used where the road network does not reach.') : null];
}

function indexSection(cs, palette) {
  if (!cs) return [h('h3', {}, 'Cold-spot index'), h('p', {}, 'The cold-spot analysis has not scored this school.')];
  const parts = Object.keys(COMPONENTS).filter((c) => cs[`contrib_${c}`] !== null && cs[`contrib_${c}`] !== undefined)
    .map((c) => ({ c, v: Number(cs[`contrib_${c}`]) })).sort((a, b) => b.v - a.v);
  const top = parts.filter((p) => p.v > 0).slice(0, 2).map((p) => COMPONENTS[p.c].toLowerCase());
  const gi = cs.gi_bin ?? 0;
  const giClass = palette?.themes?.find((t) => t.id === 'gi_bin')?.classes.find((c) => c.value === gi);
  return [h('h3', {}, 'Cold-spot index'),
    h('p', { class: 'index-sentence' }, `Index ${num(cs.coldspot_index, 1)} out of 100 (100 = worst served). `,
      top.length ? `Most of it comes from ${top.join(' and ')}.` : 'No component adds to it.'),
    h('table', { class: 'components' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Component'), h('th', { scope: 'col', class: 'n' }, 'Points'))),
      h('tbody', {}, parts.map((p) => h('tr', { dataset: { component: p.c } }, h('td', {}, COMPONENTS[p.c]), h('td', { class: 'n' }, num(p.v, 1)))))),
    h('p', { class: 'gi' }, h('span', { class: 'swatch', style: `background:${giClass?.color ?? '#ccc'}`, 'aria-hidden': 'true' }),
      `Gi* class: ${giClass?.label ?? gi}. This school is ${GI_WORDS[gi] ?? 'unclassified'}.`),
    cs.reasons ? h('p', {}, `Why: ${cs.reasons}`) : null,
    cs.access_method === 'straight_line' ? h('p', { class: 'estimate' }, 'Its access score rests on straight-line estimates, not road routes.') : null];
}

function flagsSection(school, record) {
  const flags = [];
  for (const t of list(school.outside_hub_types)) flags.push(`Outside every ${t}`);
  for (const t of list(school.multi_hub_types)) flags.push(`Two or more ${t}s cover it`);
  if (Number(school.trust_non_local) === 1) flags.push(`Its trust (${school.trust_name || 'unnamed'}) is spread beyond the area: cut off from local hubs`);
  if (Number(school.npq_pp50) === 1) flags.push('Eligible for targeted NPQ funding');
  if (school.remit_placement && school.remit_placement !== 'interior') flags.push(`Placed on a boundary (${school.remit_placement}): hub assignment uncertain`);
  const target = first(record.targets);
  return [h('h3', {}, 'Flags'),
    flags.length ? h('p', { class: 'flags' }, flags.map((f) => h('span', { class: 'flag' }, f))) : h('p', {}, 'None.'),
    target ? h('p', {}, `Rank ${num(target.rank)} in the region's list of schools to reach first.`) : null];
}

export function schoolPanel(record, { palette, synthetic, actions }) {
  const s = record.school;
  const cs = first(record.coldspot);
  return [
    h('h2', { id: 'panel-title', tabindex: '-1' }, s.name),
    facts([
      ['URN', String(record.urn)],
      ['Phase', s.phase ?? null],
      ['Pupils', num(s.pupils)],
      ['Local authority', s.la_name ?? null],
      ['Postcode', s.postcode ?? null],
      ['Trust', s.trust_name ?? undefined],
      ['Map position', synthetic ? 'synthetic' : h('span', { class: 'estimate' }, 'postcode centroid (approximate)')],
    ]),
    hubsSection(record, actions),
    venuesSection(record),
    indexSection(cs, palette),
    flagsSection(s, record),
    has('/scenarios') ? [h('h3', {}, 'What if'),
      h('p', {}, h('button', { type: 'button', id: 'school-as-venue', onclick: () => actions.addVenueAt(record.geometry.coordinates, s.name) }, 'Try this school as a new hub venue'))] : null,
    record.missing_layers?.length ? h('p', { class: 'hint' }, `Not yet analysed here: ${record.missing_layers.join(', ')}.`) : null,
  ];
}
