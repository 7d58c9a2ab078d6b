// Every view in the address: the open hub, authority, school or partnership, the visible layers and the
// map position, so a link sent to a colleague opens on the same view. Query parameters:
//   ?hub=ID | authority=CODE | school=URN | partnership=ID   the open panel (one at a time)
//   &layers=a,b,c                                            visible layer groups (layers.mjs ids)
//   &map=ZOOM/LAT/LON                                        the map position
//   &server=URL                                              (kept) the coldspot serve to talk to

const PANELS = ['hub', 'authority', 'school', 'partnership'];

export function readView(search = location.search) {
  const p = new URLSearchParams(search);
  const view = { panel: null, layers: null, position: null };
  for (const kind of PANELS) if (p.get(kind)) view.panel = { kind, id: p.get(kind) };
  if (p.has('layers')) view.layers = p.get('layers').split(',').filter(Boolean);
  const m = /^(-?[\d.]+)\/(-?[\d.]+)\/(-?[\d.]+)$/.exec(p.get('map') || '');
  if (m) {
    const [zoom, lat, lon] = m.slice(1).map(Number);
    if (zoom >= 0 && zoom <= 22 && Math.abs(lat) <= 85 && Math.abs(lon) <= 180) view.position = { zoom, center: [lon, lat] };
  }
  return view;
}

/// Writes the view into the address bar without a reload (replaceState: the back button is not flooded).
export function writeView({ panel, layers, position }) {
  const p = new URLSearchParams(location.search);
  for (const kind of PANELS) p.delete(kind);
  if (panel) p.set(panel.kind, panel.id);
  if (layers) p.set('layers', layers.join(','));
  if (position) {
    const [lon, lat] = position.center;
    p.set('map', `${position.zoom.toFixed(2)}/${lat.toFixed(5)}/${lon.toFixed(5)}`);
  }
  const query = p.toString().replaceAll('%2C', ',').replaceAll('%2F', '/');
  history.replaceState(null, '', `${location.pathname}?${query}`);
}
