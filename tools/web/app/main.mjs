// The Coldspot map page: starts the map from the server's style, and wires the search box, the layer
// switcher, the panels and the address bar together. window.coldspot exposes the state for tests.
import * as maplibregl from './vendor/maplibre-gl.mjs';
import { h, fill } from './dom.mjs';
import { getJson, optional, server, loadCapabilities } from './api.mjs';
import { readView, writeView } from './view-state.mjs';
import { groupsFor, renderLayers } from './layers.mjs';
import { renderSearch } from './search.mjs';
import { createPanels } from './panels.mjs';

const state = { server, ready: false, errors: [], panel: null, groups: [], tileErrors: 0 };
window.coldspot = state;
const message = document.getElementById('message');

/// A message in the panel's alert area; kind 'info' is not an error.
export function say(text, kind = 'error') {
  message.className = kind;
  fill(message, text || '');
  if (text && kind === 'error') state.errors.push(text);
}

async function start() {
  const view = readView();
  // Everything the first view needs, asked for at once.
  const styleAsked = getJson('/styles/coldspot.json');
  const paletteAsked = optional('/styles/palette.json');
  styleAsked.catch(() => {});
  paletteAsked.catch(() => {});
  let landing = null;
  try {
    [landing] = await Promise.all([getJson('/'), loadCapabilities()]);
  } catch (e) {
    say(e.message);
  }
  if (landing?.synthetic) {
    const banner = document.getElementById('banner');
    fill(banner, h('strong', {}, 'Synthetic data. '), landing.notice || 'Every school, hub and area on this map is made up for the demonstration.');
    banner.hidden = false;
  }
  let style = null;
  let palette = null;
  try {
    [style, palette] = await Promise.all([styleAsked, paletteAsked]);
  } catch (e) {
    say(`The map cannot be drawn: ${e.message}`);
  }
  if (!style) { state.ready = true; return; }

  // The first view: the address's position, else the extent of the data (so no tile is fetched for a
  // view that is replaced at once).
  const bounds = view.position ? null : await dataBounds(style);
  const map = new maplibregl.Map({
    container: 'map',
    style,
    ...(view.position ?? (bounds ? { bounds, fitBoundsOptions: { padding: 20 } } : { center: style.center, zoom: style.zoom })),
    attributionControl: { compact: window.innerWidth < 700, customAttribution: 'Coldspot' },
    cooperativeGestures: false,
  });
  state.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');

  map.on('error', (e) => {
    // A tile that failed: say so once, keep the map usable.
    const what = e.sourceId ? `Some map tiles (${e.sourceId}) could not be loaded` : 'The map hit a problem';
    state.tileErrors += e.sourceId ? 1 : 0;
    say(`${what}: ${e.error?.message || 'unknown error'}. The rest of the map still works.`);
  });

  await new Promise((resolve) => map.once('load', resolve));
  // On a phone the licences sit behind the (i) button instead of covering a third of the map.
  if (window.innerWidth < 700) document.querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
  const groups = groupsFor(map.getStyle());
  state.groups = groups;
  const layersRoot = document.getElementById('layers');
  const layersUi = renderLayers(layersRoot, map, groups, palette, () => save());
  if (view.layers) layersUi.setVisible(view.layers);
  const toggle = document.getElementById('layers-toggle');
  const showLayers = (on) => { layersRoot.hidden = !on; toggle.setAttribute('aria-expanded', String(on)); };
  toggle.addEventListener('click', () => showLayers(layersRoot.hidden));
  showLayers(window.innerWidth > 700);

  const panels = createPanels({ map, say, state, save: () => save(), palette, synthetic: !!landing?.synthetic });
  state.open = panels.open; // for tools/bench/map and the tests
  renderSearch(document.getElementById('search'), {
    onPick: (r) => panels.openResult(r),
    onError: (text) => say(text),
  });

  function save() {
    const c = map.getCenter();
    writeView({ panel: state.panel, layers: groups.filter((g) => g.visible).map((g) => g.id),
                position: { zoom: map.getZoom(), center: [c.lng, c.lat] } });
  }
  map.on('moveend', save);
  map.on('click', (e) => panels.click(e));
  for (const id of ['schools', 'coldspots-schools', 'venues', 'hubs']) {
    if (!map.getLayer(id)) continue;
    map.on('mouseenter', id, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', id, () => { map.getCanvas().style.cursor = ''; });
  }
  if (view.panel) await panels.open(view.panel, { fit: !view.position });
  else panels.home();
  save();
  await new Promise((resolve) => (map.loaded() ? resolve() : map.once('idle', resolve)));
  state.ready = true;
}

/// The extent of the data: the overview tileset's bounds (MapLibre fetches the same TileJSON next, from
/// the browser's cache).
async function dataBounds(style) {
  const src = Object.values(style.sources).find((s) => s.url?.includes('/tiles/overview.json')) ?? Object.values(style.sources).find((s) => s.url);
  if (!src) return null;
  try {
    const tj = await getJson(src.url);
    return tj.bounds ? [[tj.bounds[0], tj.bounds[1]], [tj.bounds[2], tj.bounds[3]]] : null;
  } catch {
    return null;
  }
}

start().catch((e) => { say(`The page failed to start: ${e.message}`); state.ready = true; });
