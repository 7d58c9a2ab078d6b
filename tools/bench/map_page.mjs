// Times the map page in headless Chromium (tools/bench/map drives it): the page opened until the map is
// idle (every visible tile drawn), a school panel and a hub panel from the open call to the rendered
// panel, each RUNS times in a fresh browser context (no HTTP cache). Prints JSON.
//
// usage: node map_page.mjs SERVER_URL URN HUB_ID RUNS   (COLDSPOT_WEB_DIR: the folder with node_modules)
import { createRequire } from 'node:module';
import path from 'node:path';
import { launchChromium } from '../../tests/clients/chromium.mjs';

const [server, urn, hub, runs] = process.argv.slice(2);
const require = createRequire(path.join(process.env.COLDSPOT_WEB_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const browser = await launchChromium(chromium);
const out = { idle: [], school: [], hub: [] };
try {
  for (let i = 0; i < Number(runs); i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${server}/map/`);
    await page.waitForFunction(() => window.coldspot && window.coldspot.ready, null, { timeout: 60000 });
    out.idle.push(Date.now() - t0);
    for (const [kind, id, key] of [['school', urn, 'school'], ['hub', hub, 'hub']]) {
      out[key].push(await page.evaluate(async (panel) => {
        const t = performance.now();
        await window.coldspot.open(panel, { fit: false });
        return performance.now() - t;
      }, { kind, id }));
    }
    await context.close();
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
