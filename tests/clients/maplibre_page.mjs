// Drives tools/web/index.html (MapLibre GL JS) in headless Chromium through playwright-core and reports
// what the page rendered, as JSON on stdout; maplibre_chromium_test.py judges it against the workspace.
//
// usage: tools/node maplibre_page.mjs PAGE_URL SERVER_URL OUT_DIR PLACES_JSON
//   PLACES_JSON: {schools: [{urn, lon, lat}], points: [{id, lon, lat}]}: schools to look at close up, and
//   points whose pixel in the overview screenshot the caller wants (positions from GDAL)
//   COLDSPOT_WEB_DIR (environment): the folder whose node_modules holds playwright-core
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { launchChromium } from './chromium.mjs';

const [pageUrl, serverUrl, outDir, placesJson] = process.argv.slice(2);
const webDir = process.env.COLDSPOT_WEB_DIR;
const require = createRequire(path.join(webDir, 'package.json'));
const { chromium } = require('playwright-core');
const { schools, points } = JSON.parse(placesJson);

const browser = await launchChromium(chromium);
const report = { console: [], pageErrors: [], failedRequests: [], serverResponses: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
  page.on('console', (m) => report.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => report.pageErrors.push(String(e)));
  page.on('requestfailed', (r) => report.failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  // Every answer from coldspot serve, with the CORS header the browser acted on.
  page.on('response', (r) => {
    if (!r.url().startsWith(serverUrl)) return;
    const h = r.headers();
    report.serverResponses.push({ method: r.request().method(), url: r.url(), status: r.status(),
                                  allowOrigin: h['access-control-allow-origin'] ?? null,
                                  contentType: h['content-type'] ?? null, contentEncoding: h['content-encoding'] ?? null });
  });

  await page.goto(pageUrl);
  await page.waitForFunction(() => window.coldspot && window.coldspot.ready, null, { timeout: 60000 });
  report.ready = await page.evaluate(() => window.coldspot.ready);
  report.pageState = await page.evaluate(() => ({ origin: location.origin, server: window.coldspot.server,
    errors: window.coldspot.errors, itemPages: window.coldspot.itemPages, schoolsLoaded: window.coldspot.schools.features.length,
    zoom: window.coldspot.map.getZoom() }));
  // The named schools as the page received them from the OGC API (before any tiling by MapLibre).
  report.receivedSchools = await page.evaluate((urns) => window.coldspot.schools.features
    .filter((f) => urns.includes(f.properties.urn)), schools.map((s) => s.urn));
  report.overviewPixels = await page.evaluate((pts) => pts.map((p) => {
    const xy = window.coldspot.map.project([p.lon, p.lat]);
    return { id: p.id, pixel: [xy.x, xy.y] };
  }), points);
  await page.screenshot({ path: path.join(outDir, 'maplibre_overview.png') });

  // The whole region on screen: rendered tile features (singles and clusters) and GeoJSON features.
  report.overview = await page.evaluate(() => {
    const map = window.coldspot.map;
    const tiles = map.queryRenderedFeatures({ layers: ['schools-tiles'] });
    const geojson = map.queryRenderedFeatures({ layers: ['schools-geojson'] });
    const areas = map.queryRenderedFeatures({ layers: ['areas-fill'] });
    return {
      tileFeatures: tiles.map((f) => ({ id: f.id, cluster: !!f.properties.cluster, point_count: f.properties.point_count ?? 1 })),
      geojsonUrns: geojson.map((f) => f.properties.urn),
      areaCodes: [...new Set(areas.map((f) => f.properties.code))],
      tileZoom: tiles.length ? tiles[0].tile?.z ?? null : null,
    };
  });

  // Each named school, close up (zoom 14, past the server's clustering zooms): what is drawn at its pixel.
  report.schools = [];
  for (const s of schools) {
    const found = await page.evaluate(async ({ lon, lat }) => {
      const map = window.coldspot.map;
      map.jumpTo({ center: [lon, lat], zoom: 14 });
      await new Promise((resolve) => map.once('idle', resolve));
      const p = map.project([lon, lat]);
      const box = [[p.x - 3, p.y - 3], [p.x + 3, p.y + 3]];
      const pick = (layer) => map.queryRenderedFeatures(box, { layers: [layer] })
        .map((f) => ({ id: f.id ?? null, properties: f.properties, geometry: f.geometry }));
      return { pixel: [p.x, p.y], tiles: pick('schools-tiles'), geojson: pick('schools-geojson') };
    }, s);
    report.schools.push({ urn: s.urn, ...found });
    await page.screenshot({ path: path.join(outDir, `maplibre_school_${s.urn}.png`) });
  }

  // A request that needs a CORS preflight (If-None-Match is not a CORS-safelisted header): the page
  // revalidates a tile with its ETag and must see 304.
  report.revalidation = await page.evaluate(async ({ server, lon, lat }) => {
    const z = 14;
    const x = Math.floor((lon + 180) / 360 * 2 ** z);
    const latRad = lat * Math.PI / 180;
    const y = Math.floor((1 - Math.log(Math.tan(latRad) + 1 / Math.cos(latRad)) / Math.PI) / 2 * 2 ** z);
    const url = `${server}/tiles/schools/${z}/${x}/${y}.mvt`;
    const first = await fetch(url, { cache: 'no-store' });
    const etag = first.headers.get('ETag');
    const body = await first.arrayBuffer();
    const again = await fetch(url, { cache: 'no-store', headers: { 'If-None-Match': etag } });
    return { url, status: first.status, etag, bytes: body.byteLength, contentType: first.headers.get('Content-Type'),
             revalidatedStatus: again.status };
  }, { server: serverUrl, lon: schools[0].lon, lat: schools[0].lat });

  // The landing page opened as a person would: Chromium asks for text/html and must get the HTML
  // variant (content negotiation), with working links to the schools' features.
  const landing = await browser.newPage();
  const answer = await landing.goto(`${serverUrl}/?f=html`);
  report.landing = { status: answer.status(), contentType: answer.headers()['content-type'] ?? null,
                     title: await landing.title(),
                     links: await landing.$$eval('a', (as) => as.map((a) => a.href)) };
  const items = report.landing.links.find((h) => h.endsWith('/collections/schools/items'));
  if (items) {
    const next = await landing.goto(items);
    report.landing.schoolItems = { status: next.status(), contentType: next.headers()['content-type'] ?? null,
                                   text: (await next.text()).slice(0, 200),
                                   // What a person reads on the page (the browser gets the HTML view).
                                   shown: await landing.locator('body').innerText() };
  }
} catch (e) {
  report.exception = String(e?.stack || e);
} finally {
  await browser.close();
}
fs.writeFileSync(path.join(outDir, 'maplibre_report.json'), JSON.stringify(report, null, 1));
console.log(JSON.stringify(report));
