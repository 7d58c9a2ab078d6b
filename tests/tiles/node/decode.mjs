// Independent decoders for tests/tiles: MVT through @mapbox/vector-tile + pbf, PMTiles v3 through
// the protomaps `pmtiles` reader. Prints JSON on stdout for the C++ tests to compare.
//   tools/node decode.mjs mvt FILE...             -> [{file, layers: {name: {extent, version, features: [...]}}}]
//   tools/node decode.mjs pmtiles FILE z/x/y...   -> {header, metadata, tiles: {"z/x/y": {length, fnv1a32, layers}}}
// An ES module: @mapbox/vector-tile 2.x ships only as one, which Node 18 (Debian 12's) cannot require().
import fs from 'node:fs';
import zlib from 'node:zlib';
import Pbf from 'pbf';
import { VectorTile } from '@mapbox/vector-tile';
import * as pmtiles from 'pmtiles';

function gunzipIfNeeded(buf) {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b ? zlib.gunzipSync(buf) : buf;
}

function decodeMvt(buf) {
  const tile = new VectorTile(new Pbf(gunzipIfNeeded(buf)));
  const layers = {};
  for (const name of Object.keys(tile.layers)) {
    const layer = tile.layers[name];
    const features = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      const rings = f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y]));
      features.push({ id: f.id, type: f.type, properties: f.properties, geometry: rings });
    }
    layers[name] = { extent: layer.extent, version: layer.version, keys: layer._keys, value_count: layer._values.length, features };
  }
  return layers;
}

function fnv1a32(bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

async function readPmtiles(file, zxys) {
  const fd = fs.openSync(file, 'r');
  const source = {
    getKey: () => file,
    getBytes: async (offset, length) => {
      const buf = Buffer.alloc(length);
      const n = fs.readSync(fd, buf, 0, length, offset);
      const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + n);
      return { data };
    },
  };
  const p = new pmtiles.PMTiles(source);
  const header = await p.getHeader();
  const metadata = await p.getMetadata();
  const tiles = {};
  for (const zxy of zxys) {
    const [z, x, y] = zxy.split('/').map(Number);
    const r = await p.getZxy(z, x, y);
    if (!r) {
      tiles[zxy] = null;
      continue;
    }
    const bytes = new Uint8Array(r.data);
    tiles[zxy] = { length: bytes.length, fnv1a32: fnv1a32(bytes), layers: decodeMvt(Buffer.from(bytes)) };
  }
  fs.closeSync(fd);
  return { header, metadata, tiles };
}

async function main() {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'mvt') {
    const out = args.map((file) => ({ file, layers: decodeMvt(fs.readFileSync(file)) }));
    process.stdout.write(JSON.stringify(out));
  } else if (mode === 'pmtiles') {
    const [file, ...zxys] = args;
    process.stdout.write(JSON.stringify(await readPmtiles(file, zxys)));
  } else {
    process.stderr.write('usage: decode.mjs mvt FILE... | pmtiles FILE z/x/y...\n');
    process.exit(2);
  }
}
main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
