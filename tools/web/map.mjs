// A minimal web map over `coldspot serve`: cold-spot areas and schools from its vector tiles (TileJSON),
// and the same schools as GeoJSON from its OGC API - Features items endpoint, every page followed.
// Open index.html?server=http://127.0.0.1:8080 from any static web server: the page may sit on another
// origin than coldspot serve, which answers with CORS headers.
import * as maplibregl from './node_modules/maplibre-gl/dist/maplibre-gl.mjs';

const params = new URLSearchParams(location.search);
const server = (params.get('server') || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const status = document.getElementById('status');

// What the page did, for people (the status line) and for the headless-browser test (window.coldspot).
const state = { server, errors: [], itemPages: [], ready: null };
window.coldspot = state;

// No base map: the page must work offline, next to nothing but coldspot serve.
const style = {
  version: 8,
  sources: {
    areas: { type: 'vector', url: `${server}/tiles/coldspots_areas.json` },
    schools: { type: 'vector', url: `${server}/tiles/schools.json` },
    'schools-geojson': { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
  },
  layers: [
    { id: 'background', type: 'background', paint: { 'background-color': '#dfe6e9' } },
    {
      // gi_bin is the Getis-Ord Gi* confidence bin of the cold-spot index: +3 = cold spot at 99 %.
      // The layer also holds hub and authority summaries (level 'hub', 'la', ...): draw the LSOAs only.
      id: 'areas-fill', type: 'fill', source: 'areas', 'source-layer': 'coldspots_areas',
      filter: ['==', ['get', 'level'], 'lsoa'],
      paint: {
        'fill-color': ['match', ['get', 'gi_bin'], 3, '#08519c', 2, '#3182bd', 1, '#6baed6',
                       -1, '#fdbe85', -2, '#fd8d3c', -3, '#e6550d', '#f0f0f0'],
        'fill-opacity': 0.85,
      },
    },
    { id: 'areas-line', type: 'line', source: 'areas', 'source-layer': 'coldspots_areas', filter: ['==', ['get', 'level'], 'lsoa'],
      paint: { 'line-color': '#7f8c8d', 'line-width': 0.5 } },
    {
      // At low zooms the tile server aggregates schools into clusters (cluster = true, point_count).
      id: 'schools-tiles', type: 'circle', source: 'schools', 'source-layer': 'schools',
      paint: {
        'circle-color': '#d7301f',
        'circle-radius': ['case', ['to-boolean', ['get', 'cluster']], ['+', 4, ['sqrt', ['get', 'point_count']]], 4],
      },
    },
    {
      id: 'schools-geojson', type: 'circle', source: 'schools-geojson',
      paint: { 'circle-radius': 7, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#111', 'circle-stroke-width': 1.5 },
    },
  ],
};

const map = new maplibregl.Map({
  container: 'map',
  style,
  center: [-1.2, 52.3],
  zoom: 9,
  hash: false,
  attributionControl: { compact: false },
});
state.map = map;
map.addControl(new maplibregl.NavigationControl());
map.on('error', (e) => state.errors.push(String(e.error?.message || e.error || e)));

// OGC API - Features pages: follow rel=next until the collection is complete.
async function loadAllItems(url) {
  const features = [];
  while (url) {
    const response = await fetch(url, { headers: { Accept: 'application/geo+json' } });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const page = await response.json();
    state.itemPages.push({ url, numberReturned: page.numberReturned, numberMatched: page.numberMatched });
    features.push(...page.features);
    url = page.links?.find((l) => l.rel === 'next')?.href;
  }
  return { type: 'FeatureCollection', features };
}

map.on('click', (e) => {
  const [f] = map.queryRenderedFeatures(e.point, { layers: ['schools-tiles', 'schools-geojson', 'areas-fill'] });
  if (!f) return;
  const p = f.properties;
  const html = p.urn
    ? `<b>${p.name}</b><br>URN ${p.urn}, ${p.phase}, ${p.pupils ?? '?'} pupils<br>${p.la_name ?? ''}`
    : p.cluster ? `${p.point_count} schools` : `<b>${p.name}</b> (${p.code})<br>Gi* bin ${p.gi_bin}, z ${Number(p.gi_z).toFixed(2)}`;
  new maplibregl.Popup().setLngLat(e.lngLat).setHTML(html).addTo(map);
});

state.ready = (async () => {
  await map.once('load');
  const schools = await loadAllItems(`${server}/collections/schools/items`);
  map.getSource('schools-geojson').setData(schools);
  state.schools = schools;
  // Fit the map to the collection's extent as the server publishes it.
  const collection = await (await fetch(`${server}/collections/schools`)).json();
  const [w, s, e, n] = collection.extent.spatial.bbox[0];
  map.fitBounds([[w, s], [e, n]], { padding: 30, animate: false });
  await map.once('idle');
  status.textContent = `${schools.features.length} schools from ${server}`;
  return true;
})().catch((err) => {
  state.errors.push(String(err?.message || err));
  status.textContent = `error: ${err?.message || err}`;
  return false;
});
