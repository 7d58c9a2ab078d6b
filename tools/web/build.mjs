// Builds the map page's served assets: `node tools/web/build.mjs OUTDIR` (after `npm ci` in tools/web).
//
// OUTDIR gets the page (app/: index.html, app.css, ES modules), MapLibre GL JS from node_modules (the
// version pinned in package-lock.json) under vendor/, the palette (data/style/palette.json) when the
// repository has one, and SDF glyphs for map labels made from Debian's DejaVu Sans (fonts-dejavu-core)
// under glyphs/. Everything the page loads is then in OUTDIR: no CDN, works offline.
// `coldspot serve --assets OUTDIR` serves it under /map/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGlyphs } from './glyphs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] || path.join(here, 'dist'));
const FONT = process.env.COLDSPOT_FONT || '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
export const FONTSTACK = 'DejaVu Sans'; // the name /styles/coldspot.json asks for (service/style_routes.cpp)

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

function fail(message) {
  console.error(`tools/web/build.mjs: ${message}`);
  process.exit(1);
}

const maplibre = path.join(here, 'node_modules', 'maplibre-gl', 'dist');
if (!fs.existsSync(maplibre)) fail(`${maplibre} is missing: run \`npm ci\` in ${here} first`);
if (!fs.existsSync(FONT)) fail(`${FONT} is missing: apt-get install fonts-dejavu-core`);

// Written to a sibling folder first and renamed into place, so a served folder is never half-built.
const tmp = `${out}.tmp-${process.pid}`;
fs.rmSync(tmp, { recursive: true, force: true });
for (const name of fs.readdirSync(path.join(here, 'app'))) copy(path.join(here, 'app', name), path.join(tmp, name));
for (const name of ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css'])
  copy(path.join(maplibre, name), path.join(tmp, 'vendor', name));
copy(path.join(maplibre, '..', 'LICENSE.txt'), path.join(tmp, 'vendor', 'MAPLIBRE-LICENSE.txt'));
const palette = path.join(here, '..', '..', 'data', 'style', 'palette.json');
if (fs.existsSync(palette)) copy(palette, path.join(tmp, 'palette.json'));

// Glyphs are the slow part (a few seconds): reuse the previous build's when the font and generator match.
const glyphKey = `${FONTSTACK} ${FONT} ${fs.statSync(FONT).size} ${fs.statSync(path.join(here, 'glyphs.mjs')).mtimeMs}`;
const oldGlyphs = path.join(out, 'glyphs');
if (fs.existsSync(path.join(oldGlyphs, 'key.txt')) && fs.readFileSync(path.join(oldGlyphs, 'key.txt'), 'utf8') === glyphKey) {
  fs.cpSync(oldGlyphs, path.join(tmp, 'glyphs'), { recursive: true });
} else {
  const n = writeGlyphs(FONT, FONTSTACK, path.join(tmp, 'glyphs'));
  fs.writeFileSync(path.join(tmp, 'glyphs', 'key.txt'), glyphKey);
  console.log(`glyphs: ${n} characters of ${path.basename(FONT)}`);
}

fs.rmSync(out, { recursive: true, force: true });
fs.renameSync(tmp, out);
console.log(`map page assets in ${out}`);
