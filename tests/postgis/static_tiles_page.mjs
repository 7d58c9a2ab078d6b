// Drives static_tiles_page.html in headless Chromium (playwright-core) and reports, as JSON on stdout,
// what MapLibre drew from the PMTiles archive: rendered features of the whole extent and close up at
// given points, and every request the page made.
// usage: tools/node static_tiles_page.mjs PAGE_URL OUT_DIR POINTS_JSON
//   POINTS_JSON: [{layer, id, lon, lat}]: features whose position the caller knows (from GDAL)
//   COLDSPOT_WEB_DIR (environment): the folder whose node_modules holds playwright-core
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { launchChromium } from '../clients/chromium.mjs';

const [pageUrl, outDir, pointsJson] = process.argv.slice(2);
const require = createRequire(path.join(process.env.COLDSPOT_WEB_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const points = JSON.parse(pointsJson);

const browser = await launchChromium(chromium);
const report = { console: [], pageErrors: [], failedRequests: [], requests: [] };
try {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  page.on('console', (m) => report.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => report.pageErrors.push(String(e)));
  page.on('requestfailed', (r) => report.failedRequests.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => report.requests.push({ url: r.url(), status: r.status(), range: r.request().headers().range ?? null }));
  await page.goto(pageUrl);
  await page.waitForFunction(() => window.staticTiles && window.staticTiles.ready, null, { timeout: 90000 });
  report.state = await page.evaluate(() => ({ errors: window.staticTiles.errors, header: window.staticTiles.header,
                                              layers: window.staticTiles.metadata?.vector_layers?.map((l) => l.id) ?? [] }));
  if (!report.state.errors.length) {
    report.overview = await page.evaluate(() => {
      const map = window.staticTiles.map;
      const count = {};
      for (const f of map.queryRenderedFeatures()) {
        if (f.layer.id === 'background') continue;
        count[f.sourceLayer] = (count[f.sourceLayer] ?? 0) + 1;
      }
      return { zoom: map.getZoom(), features: count };
    });
    await page.screenshot({ path: path.join(outDir, 'static_tiles_overview.png') });
    report.points = [];
    for (const p of points) {
      report.points.push(await page.evaluate(async ({ layer, id, lon, lat }) => {
        const map = window.staticTiles.map;
        map.jumpTo({ center: [lon, lat], zoom: 14 });
        await new Promise((resolve) => map.once('idle', resolve));
        const xy = map.project([lon, lat]);
        const found = map.queryRenderedFeatures([[xy.x - 3, xy.y - 3], [xy.x + 3, xy.y + 3]], { layers: [`${layer}-circle`] });
        return { layer, id, ids: found.map((f) => f.id ?? null), properties: found.map((f) => f.properties) };
      }, p));
    }
  }
} catch (e) {
  report.exception = String(e?.stack || e);
} finally {
  await browser.close();
}
fs.writeFileSync(path.join(outDir, 'static_tiles_report.json'), JSON.stringify(report, null, 1));
console.log(JSON.stringify(report));
