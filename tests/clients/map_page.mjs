// Drives the map page (tools/web/app, served by `coldspot serve --assets`) in headless Chromium through
// playwright-core as a hub lead would, and reports what the page showed as JSON (stdout and
// OUT_DIR/map_page_report.json); map_page_test.py judges it against the API, the CLI and the workspace.
//
// usage: node map_page.mjs SERVER_URL OUT_DIR PLAN_JSON
//   PLAN_JSON: {school: {urn, query}, hub: {id}, points: [{id, lon, lat}], whatif: {lon, lat} | null, sites: [{lon, lat}] | null}
//   COLDSPOT_WEB_DIR (environment): the folder whose node_modules holds playwright-core and axe
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { launchChromium } from './chromium.mjs';

const [serverUrl, outDir, planJson] = process.argv.slice(2);
const require = createRequire(path.join(process.env.COLDSPOT_WEB_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const { default: AxeBuilder } = require('@axe-core/playwright');
const plan = JSON.parse(planJson);

const browser = await launchChromium(chromium);
const report = { console: [], pageErrors: [], failedRequests: [], responses: [], steps: {} };

/// A page with every console message, error, failed request and server answer recorded.
async function newPage(viewport = { width: 1280, height: 720 }, tag = 'main') {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.on('console', (m) => report.console.push({ tag, type: m.type(), text: m.text(), url: m.location()?.url ?? null }));
  page.on('pageerror', (e) => report.pageErrors.push({ tag, error: String(e) }));
  page.on('requestfailed', (r) => report.failedRequests.push({ tag, url: r.url(), error: r.failure()?.errorText }));
  page.on('response', (r) => report.responses.push({ tag, url: r.url(), status: r.status(), type: r.headers()['content-type'] ?? null }));
  page.on('dialog', (d) => d.dismiss());
  return page;
}

const ready = (page) => page.waitForFunction(() => window.coldspot && window.coldspot.ready, null, { timeout: 60000 });
const idle = (page) => page.evaluate(() => new Promise((resolve) => {
  const map = window.coldspot.map;
  if (map.loaded() && map.areTilesLoaded()) resolve(); else map.once('idle', resolve);
}));
const waitPanel = (page, count) => page.waitForFunction((n) => (window.coldspot.panelsOpened || 0) >= n, count, { timeout: 30000 });

async function axe(page, name) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .exclude('.maplibregl-canvas').analyze();
  return result.violations.map((v) => ({ page: name, id: v.id, impact: v.impact, help: v.help,
                                         nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}

/// What the panel shows, read from the DOM as a person would see it.
const readPanel = (page) => page.evaluate(() => {
  const q = (s) => document.querySelector(s);
  const text = (el) => (el ? el.textContent.replace(/\s+/g, ' ').trim() : null);
  const facts = {};
  document.querySelectorAll('#panel-body .facts dt').forEach((dt) => { facts[text(dt)] = text(dt.nextElementSibling); });
  const rows = (sel) => [...document.querySelectorAll(sel)].map((tr) => [...tr.cells].map(text));
  return {
    title: text(q('#panel-title')),
    facts,
    hubs: rows('#panel-body table:not(.venues):not(.components):not(.targets):not(.scenario) tbody tr'),
    venues: rows('#panel-body table.venues tbody tr').map((r, i) => ({ cells: r, type: document.querySelectorAll('#panel-body table.venues tbody tr')[i].dataset.hubType })),
    components: [...document.querySelectorAll('#panel-body table.components tbody tr')].map((tr) => ({ component: tr.dataset.component, points: text(tr.cells[1]) })),
    indexSentence: text(q('.index-sentence')),
    gi: text(q('#panel-body .gi')),
    flags: [...document.querySelectorAll('#panel-body .flag')].map(text),
    targets: [...document.querySelectorAll('#panel-body table.targets tbody tr')].map((tr) => ({ urn: Number(tr.dataset.urn), cells: [...tr.cells].map(text) })),
    message: text(q('#message')),
    estimates: [...document.querySelectorAll('#panel-body .estimate')].map(text),
    links: Object.fromEntries([...document.querySelectorAll('#panel-body a[id]')].map((a) => [a.id, a.href])),
  };
});

try {
  // 1. The address `coldspot serve` prints, opened in a browser, at 1280x720.
  const page = await newPage();
  const t0 = Date.now();
  await page.goto(`${serverUrl}/`);
  await ready(page);
  await idle(page);
  report.steps.open = {
    url: page.url(), ms: Date.now() - t0,
    banner: await page.evaluate(() => (document.getElementById('banner').hidden ? null : document.getElementById('banner').textContent)),
    groups: await page.evaluate(() => window.coldspot.groups.map((g) => ({ id: g.id, title: g.title, visible: g.visible, layers: g.layers }))),
    legend: await page.evaluate(() => [...document.querySelectorAll('#layers .layer')].map((d) => ({ group: d.dataset.group,
      checked: d.querySelector('input').checked, key: [...d.querySelectorAll('.key li')].map((li) => ({ text: li.textContent.trim(), color: li.querySelector('.swatch')?.style.background })) }))),
    attribution: await page.evaluate(() => document.querySelector('.maplibregl-ctrl-attrib')?.textContent ?? ''),
    errors: await page.evaluate(() => window.coldspot.errors),
    style: await page.evaluate(() => { const s = window.coldspot.map.getStyle(); return { sources: Object.keys(s.sources), layers: s.layers.map((l) => ({ id: l.id, source: l.source, paint: l.paint, type: l.type })), glyphs: s.glyphs ?? null }; }),
  };
  // The named places, as pixels of the screenshot.
  report.steps.open.pixels = await page.evaluate((pts) => pts.map((p) => {
    // A pixel of the map, and whether something else (a panel) is drawn over it there.
    const m = window.coldspot.map; const xy = m.project([p.lon, p.lat]); const r = m.getCanvas().getBoundingClientRect();
    return { id: p.id, x: xy.x, y: xy.y, covered: document.elementFromPoint(r.left + xy.x, r.top + xy.y) !== m.getCanvas() }; }), plan.points);
  report.steps.open.canvas = await page.evaluate(() => { const r = document.querySelector('#map').getBoundingClientRect(); return { left: r.left, top: r.top, width: r.width, height: r.height }; });
  await page.screenshot({ path: path.join(outDir, 'map_1280x720.png') });
  report.axe = await axe(page, 'map');

  // 2. Every layer switched on (from the keyboard: Tab to each box, Space): every tile source answers.
  const boxes = await page.$$('#layers .layer input');
  for (let i = 0; i < boxes.length; i++) {
    const box = (await page.$$('#layers .layer input'))[i];
    if (!(await box.isChecked())) { await box.focus(); await page.keyboard.press('Space'); }
  }
  await idle(page);
  report.steps.allLayers = {
    visible: await page.evaluate(() => window.coldspot.groups.filter((g) => g.visible).map((g) => g.id)),
    legendGroups: await page.evaluate(() => [...document.querySelectorAll('#layers .layer')].filter((d) => d.querySelector('.key')).map((d) => d.dataset.group)),
    tileErrors: await page.evaluate(() => window.coldspot.tileErrors),
    renderedBySource: await page.evaluate(() => {
      const map = window.coldspot.map;
      const out = {};
      for (const l of map.getStyle().layers) if (l.source) out[l.id] = map.queryRenderedFeatures({ layers: [l.id] }).length;
      return out;
    }),
  };
  await page.screenshot({ path: path.join(outDir, 'map_all_layers.png') });

  // 3. Search for the school by part of its name, pick it with the keyboard, read the panel.
  await page.goto(plan.search ? `${serverUrl}/map/` : `${serverUrl}/map/?school=${plan.school.urn}`);
  await ready(page);
  const before = await page.evaluate(() => window.coldspot.panelsOpened || 0);
  if (!plan.search) {
    report.steps.school = { options: [], picked: -1, url: page.url(), panel: await readPanel(page), panelMs: await page.evaluate(() => window.coldspot.panelMs) };
  } else {
  await page.focus('#search-input');
  await page.keyboard.type(plan.school.query, { delay: 10 });
  await page.waitForSelector('#search-results:not([hidden]) li[role=option]', { timeout: 10000 });
  const options = await page.$$eval('#search-results li[role=option]', (lis) => lis.map((li) => li.textContent));
  const index = options.findIndex((o) => o.includes(plan.school.name));
  for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
  const clicked = Date.now();
  await page.keyboard.press('Enter');
  await waitPanel(page, before + 1);
  report.steps.school = { options, picked: index, ms: Date.now() - clicked, panelMs: await page.evaluate(() => window.coldspot.panelMs),
                          url: page.url(), panel: await readPanel(page), focus: await page.evaluate(() => document.activeElement?.id) };
  }
  await idle(page);
  await page.screenshot({ path: path.join(outDir, 'school_panel_1280x720.png') });
  report.axe.push(...await axe(page, 'school panel'));

  // 4. A shared URL reopens the same view: change a layer and the position, copy the address.
  await page.evaluate(() => { const m = window.coldspot.map; m.jumpTo({ center: [m.getCenter().lng + 0.01, m.getCenter().lat], zoom: 11.5 }); });
  await page.click('#layers [data-group="deprivation"] input');
  await idle(page);
  const shared = page.url();
  const state = (p) => p.evaluate(() => ({ panel: window.coldspot.panel, zoom: Number(window.coldspot.map.getZoom().toFixed(2)),
    center: [Number(window.coldspot.map.getCenter().lng.toFixed(4)), Number(window.coldspot.map.getCenter().lat.toFixed(4))],
    visible: window.coldspot.groups.filter((g) => g.visible).map((g) => g.id), title: document.getElementById('panel-title')?.textContent }));
  const original = await state(page);
  report.steps.closeAttribution = await page.evaluate(() => document.querySelector('.maplibregl-ctrl-attrib')?.textContent ?? '');
  const again = await newPage(undefined, 'shared');
  await again.goto(shared);
  await ready(again);
  report.steps.shared = { url: shared, original, reopened: await state(again) };
  await again.context().close();

  // 5. The hub panel: dashboard, ranked targets, downloads.
  await page.goto(`${serverUrl}/map/?hub=${encodeURIComponent(plan.hub.id)}`);
  await ready(page);
  await idle(page);
  report.steps.hub = { panel: await readPanel(page), panelMs: await page.evaluate(() => window.coldspot.panelMs) };
  const csvLink = await page.$('#download-csv');
  if (csvLink) {
    const [download] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
    const file = path.join(outDir, 'hub_targets_download.csv');
    await download.saveAs(file);
    report.steps.hub.download = { file, suggested: download.suggestedFilename() };
  }
  await page.screenshot({ path: path.join(outDir, 'hub_panel_1280x720.png') });
  report.axe.push(...await axe(page, 'hub panel'));

  // 6. What if: a new venue at a place the lead clicks.
  if (plan.whatif && await page.$('#pick-venue')) {
    await page.click('#pick-venue');
    const xy = await page.evaluate((p) => { const m = window.coldspot.map; m.jumpTo({ center: [p.lon, p.lat] }); const q = m.project([p.lon, p.lat]); const r = m.getCanvas().getBoundingClientRect(); return { x: r.left + q.x, y: r.top + q.y }; }, plan.whatif);
    await page.mouse.click(xy.x, xy.y);
    await page.waitForFunction(() => window.coldspot.scenario || window.coldspot.scenarioError, null, { timeout: 120000 });
    report.steps.whatif = await page.evaluate(() => ({ result: window.coldspot.scenario ?? null, error: window.coldspot.scenarioError ?? null,
      sent: window.coldspot.scenarioSent ?? null, echo: window.coldspot.scenarioRequest ?? null,
      rows: [...document.querySelectorAll('table.scenario tbody tr')].map((tr) => ({ type: tr.dataset.type, minutes: Number(tr.dataset.minutes), cells: [...tr.cells].map((c) => c.textContent) })),
      coldspotCount: document.querySelector('.coldspot-count')?.textContent ?? null }));
    await page.screenshot({ path: path.join(outDir, 'whatif_1280x720.png') });
  }

  // 6b. Venue suggestion among places the lead picks: two clicks on the map and, from the keyboard, the
  // map's centre; the page's answer is compared with `coldspot target --candidates` on the same sites.
  if (plan.sites && await page.$('#pick-sites')) {
    await page.click('#pick-sites');
    for (const p of plan.sites.slice(0, -1)) {
      const xy = await page.evaluate((q) => { const m = window.coldspot.map; m.jumpTo({ center: [q.lon, q.lat] }); const c = m.project([q.lon, q.lat]); const r = m.getCanvas().getBoundingClientRect(); return { x: r.left + c.x, y: r.top + c.y }; }, p);
      await page.mouse.click(xy.x, xy.y);
    }
    const last = plan.sites[plan.sites.length - 1];
    await page.evaluate((q) => window.coldspot.map.jumpTo({ center: [q.lon, q.lat] }), last);
    await page.focus('#site-at-centre');
    await page.keyboard.press('Enter');
    const listed = await page.evaluate(() => document.querySelectorAll('ol.sites li').length);
    await page.focus('#suggest-sites');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.coldspot.suggestions || document.querySelector('#panel-extra .problem'), null, { timeout: 120000 });
    report.steps.sites = await page.evaluate((n) => ({ listed: n, sent: window.coldspot.sitesSent ?? null, result: window.coldspot.suggestions ?? null,
      problem: document.querySelector('#panel-extra .problem')?.textContent ?? null,
      shown: [...document.querySelectorAll('ol.suggestions li')].map((li) => li.textContent) }), listed);
    await page.screenshot({ path: path.join(outDir, 'sites_1280x720.png') });
  }

  // 7. The briefing prints to PDF.
  const briefing = report.steps.hub.panel.links['briefing-link'];
  if (briefing) {
    const b = await newPage(undefined, 'briefing');
    await b.goto(briefing);
    report.steps.briefing = { url: briefing, text: await b.evaluate(() => document.body.innerText) };
    await b.pdf({ path: path.join(outDir, 'briefing.pdf'), format: 'A4', printBackground: true });
    report.axe.push(...await axe(b, 'briefing'));
    await b.context().close();
  }

  // 8. Bad input: an unknown hub in the URL, odd search text, a failing tile, an unreachable server.
  const badPage = await newPage(undefined, 'bad-input');
  await badPage.goto(`${serverUrl}/map/?hub=no-such-hub`);
  await ready(badPage);
  report.steps.unknownHub = { message: await badPage.evaluate(() => document.getElementById('message').textContent), panel: await badPage.evaluate(() => window.coldspot.panel) };
  const odd = ['"quoted" \'name\'', '<img src=x onerror="window.__injected=1">', '<script>window.__injected=2</script>', '🏫 school', 'Ysgol Gymraeg Llanelli ŵŷâ', 'x'.repeat(10240)];
  report.steps.oddSearch = [];
  for (const q of odd) {
    const got = await badPage.evaluate(async (text) => {
      const input = document.getElementById('search-input');
      input.value = text;
      input.dispatchEvent(new Event('input'));
      await new Promise((r) => setTimeout(r, 600));
      return { injected: window.__injected ?? null, imgs: document.querySelectorAll('img').length, scripts: document.querySelectorAll('#search script, #search img').length,
               options: [...document.querySelectorAll('#search-results li')].map((li) => li.textContent), message: document.getElementById('message').textContent };
    }, q);
    report.steps.oddSearch.push({ query: q.slice(0, 40), length: q.length, ...got });
  }
  // A what-if refused (401 without the token, 429 when busy) or timed out: said in words.
  if (plan.whatif && await page.$('#pick-venue')) {
    report.steps.refused = [];
    for (const [status, body] of [[401, { title: 'Unauthorized', status: 401, detail: 'this needs the write token' }],
      [429, { title: 'Too Many Requests', status: 429, detail: '2 what-if jobs are already running' }],
      [200, { id: 'x', kind: 'scenario', state: 'timed_out', error: 'time limit of 120 s reached' }]]) {
      const refused = await newPage(undefined, 'bad-input');
      await refused.route('**/scenarios', (route) => route.fulfill({ status, contentType: status === 200 ? 'application/json' : 'application/problem+json', body: JSON.stringify(body) }));
      await refused.goto(`${serverUrl}/map/?hub=${encodeURIComponent(plan.hub.id)}`);
      await ready(refused);
      await refused.click('#pick-venue');
      await refused.click('#venue-at-centre');
      await refused.waitForFunction(() => window.coldspot.scenarioError, null, { timeout: 30000 });
      report.steps.refused.push({ status, message: await refused.evaluate(() => document.querySelector('#panel-extra .problem')?.textContent ?? null),
                                  usable: await refused.evaluate(() => !!document.querySelector('#pick-venue')) });
      await refused.context().close();
    }
  }
  const broken = await newPage(undefined, 'failing-tile');
  await broken.route(/\/tiles\/[^/]+\/\d+\/\d+\/\d+\.mvt/, (route, request) => (request.url().includes('/coldspots') ? route.fulfill({ status: 500, body: 'boom' }) : route.continue()));
  await broken.goto(`${serverUrl}/map/`);
  await ready(broken);
  await broken.waitForTimeout(1500);
  report.steps.failingTile = { message: await broken.evaluate(() => document.getElementById('message').textContent), usable: await broken.evaluate(() => !!window.coldspot.map.getStyle()) };
  await broken.context().close();
  const away = await newPage(undefined, 'unreachable');
  await away.goto(`${serverUrl}/map/?server=http://127.0.0.1:${plan.dead_port}`);
  await ready(away);
  report.steps.unreachable = { message: await away.evaluate(() => document.getElementById('message').textContent) };
  await away.context().close();

  // 9. A phone, 390x844: the opening view (where am I: boundaries and area names), then the map with a school open.
  const phone = await newPage({ width: 390, height: 844 }, 'phone');
  await phone.goto(`${serverUrl}/map/`);
  await ready(phone);
  await idle(phone);
  report.steps.phoneOpening = await phone.evaluate(() => {
    const map = window.coldspot.map;
    const drawn = (id) => (map.getLayer(id) ? map.queryRenderedFeatures({ layers: [id] }) : []);
    const out = { zoom: map.getZoom(), counts: {}, labels: {} };
    for (const id of ['authorities', 'districts', 'hubs', 'schools', 'authority-labels', 'district-labels', 'town-labels']) out.counts[id] = drawn(id).length;
    for (const id of ['authority-labels', 'district-labels']) out.labels[id] = drawn(id).map((f) => f.properties.name);
    return out;
  });
  await phone.screenshot({ path: path.join(outDir, 'map_390x844_opening.png') });
  await phone.goto(`${serverUrl}/map/?layers=coldspots-lsoa`);
  await ready(phone);
  await idle(phone);
  const phoneMap = {
    pixels: await phone.evaluate((pts) => pts.map((p) => {
    // A pixel of the map, and whether something else (a panel) is drawn over it there.
    const m = window.coldspot.map; const xy = m.project([p.lon, p.lat]); const r = m.getCanvas().getBoundingClientRect();
    return { id: p.id, x: xy.x, y: xy.y, covered: document.elementFromPoint(r.left + xy.x, r.top + xy.y) !== m.getCanvas() }; }), plan.points),
    canvas: await phone.evaluate(() => { const r = document.querySelector('#map').getBoundingClientRect(); return { left: r.left, top: r.top, width: r.width, height: r.height }; }) };
  await phone.screenshot({ path: path.join(outDir, 'map_390x844.png') });
  await phone.goto(`${serverUrl}/map/?school=${plan.school.urn}`);
  await ready(phone);
  await idle(phone);
  report.steps.phone = { ...phoneMap, panel: await readPanel(phone), overflowX: await phone.evaluate(() => document.documentElement.scrollWidth > window.innerWidth),
    smallestFont: await phone.evaluate(() => Math.min(...[...document.querySelectorAll('#panel-body *, .bar *')].filter((e) => e.childNodes.length && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())).map((e) => parseFloat(getComputedStyle(e).fontSize)))),
  };
  await phone.screenshot({ path: path.join(outDir, 'school_panel_390x844.png') });
  report.axe.push(...await axe(phone, 'phone'));
  await phone.context().close();
} catch (e) {
  report.exception = String(e?.stack || e);
} finally {
  await browser.close();
}
fs.writeFileSync(path.join(outDir, 'map_page_report.json'), JSON.stringify(report, null, 1));
console.log(JSON.stringify({ done: true, exception: report.exception ?? null }));
