// Partnerships: several hubs with one joint list in which every school appears once, with the hub
// proposed to lead the contact and why; schools in trusts spread beyond the area get their own list.
import { h, num, minutes } from './dom.mjs';
import { url } from './api.mjs';

export function partnershipList(items, openPartnership) {
  return [h('h3', {}, 'Partnerships'),
    h('ul', {}, items.map((p) => h('li', {}, h('a', { href: `?partnership=${encodeURIComponent(p.id)}`,
      onclick: (e) => { e.preventDefault(); openPartnership(p.id); } }, p.name ?? p.id),
      p.hubs ? ` (${p.hubs.length} hubs)` : '', p.description ? h('br') : null, p.description ? h('small', {}, p.description) : null)))];
}

function table(rows, actions) {
  return h('table', { class: 'targets' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'n' }, 'Rank'), h('th', { scope: 'col' }, 'School'),
      h('th', { scope: 'col' }, 'Proposed lead hub'), h('th', { scope: 'col' }, 'Why this hub'))),
    h('tbody', {}, rows.map((r, i) => h('tr', { dataset: { urn: r.urn } },
      h('td', { class: 'n' }, num(r.rank ?? i + 1)),
      h('td', {}, h('a', { href: `?school=${r.urn}`, onclick: (e) => { e.preventDefault(); actions.openSchool(r.urn); } }, r.name)),
      h('td', {}, r.lead_hub_name ?? r.lead_hub_id ?? '–',
        r.lead_minutes !== undefined && r.lead_minutes !== null ? [' (', minutes(r.lead_minutes, Number(r.lead_time_is_estimate) === 1), ')'] : null),
      h('td', {}, r.lead_reason ?? '')))));
}

export function partnershipPanel(id, doc, cut, { actions }) {
  const rows = doc.items ?? [];
  const cutOff = cut?.items ?? [];
  const base = `/partnerships/${encodeURIComponent(id)}/targets`;
  return [
    h('h2', { id: 'panel-title', tabindex: '-1' }, doc.name ?? id),
    doc.hubs ? h('p', {}, `Hubs: ${doc.hubs.map((x) => x.name ?? x.hub_id ?? x).join(', ')}.`) : null,
    doc.description ? h('p', {}, doc.description) : null,
    h('p', {}, 'One joint list: every school once, with the hub proposed to contact it (its own hub; where two hubs share a district, the one with the shorter drive time).'),
    h('p', {}, 'Download: ', h('a', { href: url(`${base}?f=csv`), download: `${id}-targets.csv` }, 'CSV'), ' · ',
      h('a', { href: url(`${base}?f=geojson`), download: `${id}-targets.geojson` }, 'GeoJSON')),
    h('h3', {}, `Schools to reach first (${num(rows.length)})`),
    table(rows.slice(0, 50), actions),
    rows.length > 50 ? h('p', {}, `… and ${num(rows.length - 50)} more in the download.`) : null,
    h('h3', {}, 'Cut off from local hubs (trusts spread beyond the area)'),
    cutOff.length ? table(cutOff, actions) : h('p', {}, 'None.'),
    h('p', {}, 'Download: ', h('a', { href: url(`/partnerships/${encodeURIComponent(id)}/cut-off?f=csv`), download: `${id}-cut-off.csv` }, 'CSV')),
  ];
}
