// The side panel's controller: which record is open (school, hub, authority, partnership), what a map
// click does (open, or pick a place in what-if mode), and the map highlights that go with a panel.
import { h, fill } from './dom.mjs';
import { getJson, has } from './api.mjs';
import { schoolPanel } from './school-panel.mjs';
import { areaPanel } from './area-panel.mjs';
import { partnershipPanel, partnershipList } from './partnership-panel.mjs';
import { runJob, scenarioResult, suggestionsResult } from './whatif.mjs';

const NOUN = { school: 'school', hub: 'hub', authority: 'local authority', partnership: 'partnership' };

export function createPanels({ map, say, state, save, palette, synthetic }) {
  const body = document.getElementById('panel-body');
  const panelEl = document.getElementById('panel');
  let picking = null; // {hubType} while the next map click places a what-if venue
  let collecting = null; // {hubType, sites: [[lon, lat]]} while map clicks add candidate sites for a suggestion
  let marker = null;

  const show = (nodes, focus = true) => {
    fill(body, nodes);
    panelEl.scrollTop = 0;
    if (focus) document.getElementById('panel-title')?.focus({ preventScroll: true });
  };
  /// The what-if and suggestion answers, below the panel's record, scrolled into view.
  const extra = (nodes) => {
    const box = body.querySelector('#panel-extra') || body.appendChild(h('div', { id: 'panel-extra', 'aria-live': 'polite' }));
    fill(box, nodes);
    box.scrollIntoView({ block: 'nearest' });
  };
  const setGeojson = (id, data, paint) => {
    if (map.getSource(id)) { map.getSource(id).setData(data); return; }
    map.addSource(id, { type: 'geojson', data });
    map.addLayer({ id, type: 'circle', source: id, paint });
  };

  const actions = {
    openSchool: (urn) => open({ kind: 'school', id: String(urn) }),
    openHub: (id) => open({ kind: 'hub', id }),
    zoomTo: (bbox) => { if (bbox) map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { padding: 30, duration: 0 }); },
    addVenueAt: (lonlat, name) => { picking = { hubType: null, name }; placeVenue({ lng: lonlat[0], lat: lonlat[1] }); },
    pickVenue: (hubType) => {
      picking = { hubType };
      say('Click the map where the new venue would be (Escape cancels).', 'info');
      map.getCanvas().style.cursor = 'crosshair';
      // From the keyboard: move the map (arrow keys on the map) and place the venue at its centre.
      extra(h('p', {}, h('button', { type: 'button', id: 'venue-at-centre', onclick: () => placeVenue(map.getCenter()) },
        'Place it at the centre of the map'), h('span', { class: 'hint' }, ' (move the map with the arrow keys first)')));
    },
    /// Candidate sites picked on the map (any place: a library, a hall), then the suggestion among them.
    pickSites: (hubType) => {
      collecting = { hubType, sites: [] };
      map.getCanvas().style.cursor = 'crosshair';
      say('Click the map at each place that could host a venue, then press “Suggest among these places” (Escape cancels).', 'info');
      showSites();
    },
    suggest: async (hubType, sites = null) => {
      extra(h('p', { role: 'status' }, 'Working out the best new venues…'));
      try {
        const job = await runJob('suggestions', { k: sites ? Math.min(3, sites.length) : 3, hub_type: hubType, candidates: sites, ...(state.panel?.kind === 'hub' ? { hub: state.panel.id } : {}) });
        const { geojson, nodes } = suggestionsResult(job);
        setGeojson('suggestions', geojson, { 'circle-radius': 9, 'circle-color': '#ffffff', 'circle-stroke-color': '#000000', 'circle-stroke-width': 3 });
        state.suggestions = job.result;
        extra(nodes);
      } catch (e) {
        extra(h('p', { class: 'problem' }, `No suggestions: ${e.message}`));
      }
    },
    removeVenue: (venue) => runScenario({ remove_venues: [venue.name] }, `Without the venue ${venue.name} (${venue.hub_type})`),
  };

  /// The sites picked so far, with the buttons that finish (or, from the keyboard, add the map centre).
  function showSites() {
    const sites = collecting.sites;
    setGeojson('candidate-sites', { type: 'FeatureCollection', features: sites.map((c) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: {} })) },
      { 'circle-radius': 7, 'circle-color': '#ffffff', 'circle-stroke-color': '#000000', 'circle-stroke-width': 2 });
    extra([h('p', { role: 'status' }, sites.length ? `${sites.length} place${sites.length === 1 ? '' : 's'} picked:` : 'No place picked yet.'),
      sites.length ? h('ol', { class: 'sites' }, sites.map((c) => h('li', {}, `${c[1].toFixed(4)}, ${c[0].toFixed(4)}`))) : null,
      h('p', {}, h('button', { type: 'button', id: 'site-at-centre', onclick: () => addSite(map.getCenter()) }, 'Add the centre of the map'), ' ',
        h('button', { type: 'button', id: 'suggest-sites', class: 'primary', disabled: !sites.length, onclick: finishSites }, 'Suggest among these places'), ' ',
        h('button', { type: 'button', onclick: cancelSites }, 'Cancel'))]);
  }
  function addSite(lngLat) {
    if (collecting.sites.length >= 200) { say('At most 200 places can be compared at once.', 'problem'); return; }
    collecting.sites.push([lngLat.lng, lngLat.lat]);
    showSites();
  }
  function cancelSites() {
    collecting = null;
    map.getCanvas().style.cursor = '';
    say('');
    if (map.getSource('candidate-sites')) map.getSource('candidate-sites').setData({ type: 'FeatureCollection', features: [] });
    extra([]);
  }
  async function finishSites() {
    const { hubType, sites } = collecting;
    collecting = null;
    map.getCanvas().style.cursor = '';
    say('');
    state.sitesSent = sites;
    await actions.suggest(hubType, sites);
  }

  async function runScenario(body, what) {
    state.scenarioSent = body;
    extra(h('p', { role: 'status' }, 'Running the what-if on the server…'));
    try {
      const job = await runJob('scenarios', body, { onProgress: () => extra(h('p', { role: 'status' }, 'Running the what-if on the server (it re-routes and re-scores the schools)…')) });
      state.scenario = job.result;
      state.scenarioRequest = job.request;
      extra(scenarioResult(job.result, what));
    } catch (e) {
      state.scenarioError = e.message;
      extra(h('p', { class: 'problem' }, `The what-if did not run. ${e.message}`));
    }
  }

  async function placeVenue(lngLat) {
    const hubType = picking?.hubType || await chooseHubType();
    const name = picking?.name || 'new venue';
    picking = null;
    map.getCanvas().style.cursor = '';
    say('');
    if (!hubType) return;
    marker?.remove();
    setGeojson('whatif-venue', { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [lngLat.lng, lngLat.lat] }, properties: {} }] },
      { 'circle-radius': 8, 'circle-color': '#000000', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 3 });
    await runScenario({ add_venues: [{ lon: lngLat.lng, lat: lngLat.lat, hub_type: hubType, name }] },
      `With a new ${hubType} venue at ${name === 'new venue' ? `${lngLat.lat.toFixed(4)}, ${lngLat.lng.toFixed(4)}` : name}`);
  }

  /// Hub type for a venue placed from a school panel: the palette's named types, picked in a form.
  function chooseHubType() {
    const types = palette?.themes?.find((t) => t.id === 'hub_type')?.classes.filter((c) => c.value !== '*').map((c) => c.value) ?? ['teaching school hub'];
    return new Promise((resolve) => {
      const select = h('select', { id: 'whatif-type' }, types.map((t) => h('option', { value: t }, t)));
      extra(h('form', { onsubmit: (e) => { e.preventDefault(); resolve(select.value); } },
        h('label', { for: 'whatif-type' }, 'Hub type of the new venue: '), select, ' ',
        h('button', { type: 'submit', class: 'primary' }, 'Run the what-if')));
      select.focus();
    });
  }

  async function load(panel) {
    const id = encodeURIComponent(panel.id);
    if (panel.kind === 'school') {
      const record = await getJson(`/schools/${id}`);
      return { nodes: schoolPanel(record, { palette, synthetic, actions }), record, point: record.geometry?.coordinates };
    }
    if (panel.kind === 'hub' || panel.kind === 'authority') {
      const base = panel.kind === 'hub' ? `/hubs/${id}` : `/authorities/${id}`;
      const withTargets = has(`/${panel.kind === 'hub' ? 'hubs' : 'authorities'}/{id}/targets`);
      const withVenues = panel.kind === 'hub' && has('/collections/{id}/items') && has('/scenarios');
      const [dashboard, targets, venueItems] = await Promise.all([panel.kind === 'hub' ? getJson(base) : authorityDashboard(panel.id), withTargets ? getJson(`${base}/targets?top=20&f=json`) : null,
        withVenues ? getJson(`/collections/hub_venues/items?hub_id=${id}&limit=100`).catch(() => null) : null]);
      const bbox = dashboard.bbox ?? (panel.kind === 'hub' ? footprintBounds(panel.id) : boundsOf(districtFeatures(panel.id)));
      const venues = venueItems?.features ?? [];
      // Districts the source marks as only partly the hub's (hubs layer), for the panel's caveat.
      if (panel.kind === 'hub' && !dashboard.partial_districts)
        dashboard.partial_districts = [...new Set(footprint(panel.id).flatMap((f) => String(f.properties.partial_districts || '').split(';')).filter(Boolean))].join(';');
      return { nodes: areaPanel(panel.kind, panel.id, { ...dashboard, bbox }, targets, { actions, withTargets, venues }), record: { dashboard, targets }, bbox };
    }
    if (panel.kind === 'partnership') {
      const [targets, cut] = await Promise.all([getJson(`/partnerships/${id}/targets?f=json`), has('/partnerships/{id}/cut-off') ? getJson(`/partnerships/${id}/cut-off?f=json`) : null]);
      return { nodes: partnershipPanel(panel.id, targets, cut, { actions }), record: { targets, cut }, bbox: targets.bbox };
    }
    throw new Error(`unknown panel ${panel.kind}`);
  }

  /// An authority's dashboard; when the server has none for the code (its la_dashboard rows are per
  /// authority and hub), the authority's name from those rows and no figures, so its targets and
  /// briefing still open.
  async function authorityDashboard(code) {
    try {
      return await getJson(`/authorities/${encodeURIComponent(code)}`);
    } catch (e) {
      if (e.status !== 404) throw e;
      const list = await getJson('/authorities').catch(() => ({ items: [] }));
      const row = (list.items || []).find((r) => r.la_code === code || r.code === code);
      const district = districtFeatures(code)[0];
      const name = row?.la_name ?? district?.properties?.name;
      if (!name) throw e;
      return { name, figures: null, no_figures: true };
    }
  }

  /// A district's or county's features in the loaded boundary tiles.
  function districtFeatures(code) {
    const out = [];
    for (const id of ['districts', 'authorities']) {
      const layer = map.getLayer(id);
      if (layer) out.push(...map.querySourceFeatures(layer.source, { sourceLayer: layer.sourceLayer, filter: ['==', ['get', 'code'], code] }));
    }
    return out;
  }

  /// The hub's footprint features in the loaded tiles.
  function footprint(hubId) {
    const layer = map.getLayer('hubs');
    return layer ? map.querySourceFeatures(layer.source, { sourceLayer: layer.sourceLayer, filter: ['==', ['get', 'hub_id'], hubId] }) : [];
  }

  /// The hub's footprint extent from the loaded tiles, when the dashboard gives no bbox.
  function footprintBounds(hubId) {
    return boundsOf(footprint(hubId));
  }

  function boundsOf(fs) {
    let b = null;
    const walk = (c) => { if (typeof c[0] === 'number') { b = b ? [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])] : [c[0], c[1], c[0], c[1]]; } else c.forEach(walk); };
    for (const f of fs) walk(f.geometry.coordinates);
    return b;
  }

  async function open(panel, { fit = true } = {}) {
    const started = performance.now();
    say('');
    fill(body, h('p', { role: 'status' }, `Loading the ${NOUN[panel.kind]}…`));
    try {
      const { nodes, record, point, bbox } = await load(panel);
      state.panel = panel;
      state.record = record;
      show(nodes);
      if (fit && bbox) actions.zoomTo(bbox);
      else if (fit && point) map.jumpTo({ center: point, zoom: Math.max(map.getZoom(), 12) });
      highlight(panel, point);
      state.panelMs = performance.now() - started;
      state.panelsOpened = (state.panelsOpened || 0) + 1;
    } catch (e) {
      state.panel = null;
      say(e.status === 404 ? `There is no ${NOUN[panel.kind]} “${panel.id}” here. ${e.message}` : `The ${NOUN[panel.kind]} could not be opened. ${e.message}`);
      home();
    }
    save();
  }

  function highlight(panel, point) {
    const features = panel.kind === 'school' && point ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: point }, properties: {} }] : [];
    setGeojson('selected', { type: 'FeatureCollection', features }, { 'circle-radius': 11, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#000000', 'circle-stroke-width': 3 });
    if (map.getLayer('hubs')) map.setPaintProperty('hubs', 'line-width', panel.kind === 'hub' ? ['case', ['==', ['get', 'hub_id'], panel.id], 6, 2.5] : 2.5);
  }

  async function home() {
    const parts = [
      h('h2', { id: 'panel-title', tabindex: '-1' }, 'Where are teachers far from professional development?'),
      h('p', {}, 'Search for a school, a hub or a local authority, or click a school on the map. Blue areas are cold spots: clusters of schools that are far from hub venues, deprived, rural or between hub remits.'),
      h('p', {}, 'Use “Layers and legend” to switch layers on and off; every colour is explained there.'),
    ];
    show(parts, false);
    const list = has('/partnerships') ? await getJson('/partnerships').catch(() => null) : null;
    if (list?.partnerships?.length) fill(body, parts, partnershipList(list.partnerships, (id) => open({ kind: 'partnership', id })));
  }

  async function click(e) {
    if (picking) { await placeVenue(e.lngLat); return; }
    if (collecting) { addSite(e.lngLat); return; }
    const box = [[e.point.x - 4, e.point.y - 4], [e.point.x + 4, e.point.y + 4]];
    const layers = ['venues', 'coldspots-schools', 'schools', 'hubs'].filter((l) => map.getLayer(l) && map.getLayoutProperty(l, 'visibility') !== 'none');
    const f = map.queryRenderedFeatures(box, { layers })[0];
    if (!f) return;
    if (f.layer.id === 'venues') {
      show([h('h2', { id: 'panel-title', tabindex: '-1' }, f.properties.name),
        h('p', {}, `${f.properties.kind === 'lead school' ? 'Lead school' : 'Venue'} of a ${f.properties.hub_type}.`),
        f.properties.urn ? h('p', {}, h('button', { type: 'button', onclick: () => actions.openSchool(f.properties.urn) }, 'Open the school')) : null,
        h('p', {}, h('button', { type: 'button', onclick: () => actions.removeVenue(f.properties) }, 'What if this venue closed?'))]);
      return;
    }
    if (f.layer.id === 'hubs') return open({ kind: 'hub', id: f.properties.hub_id }, { fit: false });
    const urn = f.properties.urn ?? f.id;
    if (f.properties.cluster) { map.easeTo({ center: e.lngLat, zoom: map.getZoom() + 2 }); return; }
    if (urn) await open({ kind: 'school', id: String(urn) }, { fit: false });
  }

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && picking) { picking = null; map.getCanvas().style.cursor = ''; say(''); }
    if (e.key === 'Escape' && collecting) cancelSites();
  });

  const openResult = (r) => {
    if (r.kind === 'postcode') {
      if (r.bbox) map.fitBounds([[r.bbox[0], r.bbox[1]], [r.bbox[2], r.bbox[3]]], { padding: 30, duration: 0 });
      else if (r.point) map.jumpTo({ center: r.point, zoom: 14 });
      return;
    }
    open({ kind: r.kind, id: String(r.id) });
  };
  return { open, openResult, click, home, actions };
}
