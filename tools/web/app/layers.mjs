// The layer switcher and its legend in words. The map's layers come from /styles/coldspot.json, each
// tagged with its palette theme (metadata "coldspot:theme"); the legend's classes, labels and colours
// come from the same palette (/styles/palette.json), so the key always matches what is drawn.
import { h, fill } from './dom.mjs';

/// What a person toggles: one entry per switchable thing, the style layers it shows, its words.
export const GROUPS = [
  { id: 'coldspots-lsoa', title: 'Cold spots by neighbourhood (LSOA)', layers: ['coldspots-lsoa'], theme: 'gi_bin',
    note: 'Getis-Ord Gi* on the cold-spot index: blue areas are clusters of poor access to professional development.' },
  { id: 'coldspots-hex', title: 'Cold spots on a hexagon grid', layers: ['coldspots-hex'], theme: 'gi_bin' },
  { id: 'coldspots-schools', title: 'Cold spots by school', layers: ['coldspots-schools'], theme: 'gi_bin' },
  { id: 'deprivation', title: 'Deprivation (IMD decile of the neighbourhood)', layers: ['deprivation'], theme: 'imd_decile' },
  { id: 'hubs', title: 'Hub footprints by hub type', layers: ['hubs'], theme: 'hub_type', shape: 'line' },
  { id: 'remits', title: 'Same-type hub overlaps and gaps', layers: ['remit-overlaps', 'remit-gaps'], theme: 'remit' },
  { id: 'isochrones', title: 'Drive time to the nearest venue', layers: ['isochrones'], theme: 'isochrone' },
  { id: 'venues', title: 'Hub venues (ring colour: hub type)', layers: ['venues'], theme: 'venue', shape: 'dot' },
  { id: 'schools', title: 'Schools', layers: ['schools'], theme: 'school', shape: 'dot', only: [0] },
  { id: 'base', title: 'Boundaries, roads and place names', layers: ['authorities', 'districts', 'roads', 'authority-labels', 'district-labels', 'town-labels'], theme: 'base',
    only: ['upper_tier_authorities', 'local_authorities', 'roads'], shape: 'line' },
];

/// The groups the style actually has (a workspace without isochrones has no isochrone layer), plus
/// any style layer no group names, under its own title.
export function groupsFor(style) {
  const ids = new Set(style.layers.map((l) => l.id));
  const named = new Set(GROUPS.flatMap((g) => g.layers));
  const groups = GROUPS.map((g) => ({ ...g, layers: g.layers.filter((l) => ids.has(l)) })).filter((g) => g.layers.length);
  for (const l of style.layers) {
    if (named.has(l.id) || l.type === 'background') continue;
    groups.push({ id: l.id, title: l.metadata?.['coldspot:title'] || l.id, layers: [l.id], theme: l.metadata?.['coldspot:theme'] });
  }
  const visible = (g) => g.layers.some((id) => (style.layers.find((l) => l.id === id).layout?.visibility ?? 'visible') !== 'none');
  return groups.map((g) => ({ ...g, visible: visible(g) }));
}

function swatch(shape, color) {
  const style = shape === 'line' ? `background:${color}` : `background:${color}`;
  return h('span', { class: `swatch ${shape || ''}`, style, 'aria-hidden': 'true' });
}

function legendItems(group, palette) {
  const theme = palette?.themes?.find((t) => t.id === group.theme);
  if (!theme) return [];
  return theme.classes.filter((c) => !group.only || group.only.includes(c.value))
    .map((c) => h('li', {}, swatch(group.shape, c.color), c.label));
}

/// Renders the switcher into `root`; onChange(groups) after every toggle.
export function renderLayers(root, map, groups, palette, onChange) {
  const setVisible = (g, on) => {
    g.visible = on;
    for (const id of g.layers) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  };
  const draw = () => fill(root,
    h('h2', {}, 'Layers'),
    h('p', { class: 'hint' }, 'Tick a layer to show it; its key appears below it.'),
    groups.map((g) => h('div', { class: 'layer', dataset: { group: g.id } },
      h('label', {},
        h('input', { type: 'checkbox', checked: g.visible, onchange: (e) => { setVisible(g, e.target.checked); draw(); onChange(groups); } }),
        ' ', g.title),
      g.visible ? h('ul', { class: 'key', 'aria-label': `Key: ${g.title}` }, legendItems(g, palette)) : null,
      g.visible && g.note ? h('p', { class: 'key-note' }, g.note) : null)));
  draw();
  return { setVisible: (ids) => { for (const g of groups) setVisible(g, ids.includes(g.id)); draw(); } };
}
