// Signed-distance-field glyph PBFs for MapLibre text labels, made at build time from a local TrueType font
// (Debian's fonts-dejavu-core), so the page draws labels with no font server and no internet.
//
// Why not fontnik: its install downloads a prebuilt native binary, which offline machines cannot fetch.
// This is the same output format (MapLibre's glyphs.proto: 24 px em, 3 px buffer, SDF radius 8, edge at
// byte 192), computed exactly: every pixel's distance to the glyph's outline, flattened to segments.
import fs from 'node:fs';
import path from 'node:path';
import opentype from 'opentype.js';

const SIZE = 24;     // MapLibre's glyph em size in pixels
const BUFFER = 3;    // pixels of SDF margin around each glyph bitmap
const RADIUS = 8;    // distance in pixels that spans the whole byte range
const CUTOFF = 0.25; // share of the range outside the edge: the edge is at 255 * 0.75 = 192

/// Outline of a glyph as line segments in pixel space (y down), curves flattened.
function outlineSegments(glyph, scale) {
  const segs = [];
  let start = null;
  let prev = null;
  const to = (x, y) => [x * scale, -y * scale];
  const line = (p) => { segs.push([prev[0], prev[1], p[0], p[1]]); prev = p; };
  for (const c of glyph.path.commands) {
    if (c.type === 'M') { start = prev = to(c.x, c.y); continue; }
    if (c.type === 'L') { line(to(c.x, c.y)); continue; }
    if (c.type === 'Z') { if (prev && start) line(start); continue; }
    const p0 = prev;
    const p3 = to(c.x, c.y);
    const steps = 8;
    for (let i = 1; i <= steps; i++) {
      const t = i / steps;
      const u = 1 - t;
      if (c.type === 'Q') {
        const p1 = to(c.x1, c.y1);
        line([u * u * p0[0] + 2 * u * t * p1[0] + t * t * p3[0], u * u * p0[1] + 2 * u * t * p1[1] + t * t * p3[1]]);
      } else if (c.type === 'C') {
        const p1 = to(c.x1, c.y1);
        const p2 = to(c.x2, c.y2);
        const a = u * u * u;
        const b = 3 * u * u * t;
        const d = 3 * u * t * t;
        const e = t * t * t;
        line([a * p0[0] + b * p1[0] + d * p2[0] + e * p3[0], a * p0[1] + b * p1[1] + d * p2[1] + e * p3[1]]);
      }
    }
  }
  return segs;
}

function distanceToSegment(px, py, [x1, y1, x2, y2]) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len2)) : 0;
  const ex = x1 + t * dx - px;
  const ey = y1 + t * dy - py;
  return Math.sqrt(ex * ex + ey * ey);
}

/// Non-zero winding number of the outline around a point: inside when not zero.
function winding(px, py, segs) {
  let w = 0;
  for (const [x1, y1, x2, y2] of segs) {
    if (y1 <= py) {
      if (y2 > py && (x2 - x1) * (py - y1) - (px - x1) * (y2 - y1) > 0) w++;
    } else if (y2 <= py && (x2 - x1) * (py - y1) - (px - x1) * (y2 - y1) < 0) w--;
  }
  return w;
}

/// One glyph's metrics and SDF bitmap, as MapLibre expects them.
export function sdfGlyph(font, glyph, codepoint) {
  const scale = SIZE / font.unitsPerEm;
  const advance = Math.round(glyph.advanceWidth * scale);
  const segs = outlineSegments(glyph, scale);
  if (!segs.length) return { id: codepoint, width: 0, height: 0, left: 0, top: 0, advance, bitmap: null };
  let minX = Infinity; let minY = Infinity; let maxX = -Infinity; let maxY = -Infinity;
  for (const [x1, y1, x2, y2] of segs) {
    minX = Math.min(minX, x1, x2); maxX = Math.max(maxX, x1, x2);
    minY = Math.min(minY, y1, y2); maxY = Math.max(maxY, y1, y2);
  }
  const left = Math.floor(minX);
  const top = Math.floor(minY); // y down: the glyph's top edge, negative above the baseline
  const width = Math.ceil(maxX) - left;
  const height = Math.ceil(maxY) - top;
  const w = width + 2 * BUFFER;
  const h = height + 2 * BUFFER;
  const bitmap = new Uint8Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const px = left - BUFFER + i + 0.5;
      const py = top - BUFFER + j + 0.5;
      let d = Infinity;
      for (const s of segs) d = Math.min(d, distanceToSegment(px, py, s));
      if (winding(px, py, segs) !== 0) d = -d;
      bitmap[j * w + i] = Math.max(0, Math.min(255, Math.round(255 - 255 * (d / RADIUS + CUTOFF))));
    }
  }
  // MapLibre's `top` is the distance from the baseline up to the bitmap's top edge.
  return { id: codepoint, width, height, left, top: -top, advance, bitmap };
}

// --- protobuf writing (glyphs.proto: glyphs{1: fontstack{1 name, 2 range, 3 glyph{1 id, 2 bitmap,
// 3 width, 4 height, 5 left (sint32), 6 top (sint32), 7 advance}}}) ---
function varint(n, out) {
  let v = n >>> 0;
  while (v > 127) { out.push((v & 127) | 128); v >>>= 7; }
  out.push(v);
}
const zigzag = (n) => ((n << 1) ^ (n >> 31)) >>> 0;
function field(no, wire, out) { varint((no << 3) | wire, out); }
function bytesField(no, bytes, out) { field(no, 2, out); varint(bytes.length, out); for (const b of bytes) out.push(b); }

function encodeGlyph(g) {
  const out = [];
  field(1, 0, out); varint(g.id, out);
  if (g.bitmap) bytesField(2, g.bitmap, out);
  field(3, 0, out); varint(g.width, out);
  field(4, 0, out); varint(g.height, out);
  field(5, 0, out); varint(zigzag(g.left), out);
  field(6, 0, out); varint(zigzag(g.top), out);
  field(7, 0, out); varint(g.advance, out);
  return out;
}

export function encodeRange(name, start, glyphs) {
  const stack = [];
  bytesField(1, Buffer.from(name, 'utf8'), stack);
  bytesField(2, Buffer.from(`${start}-${start + 255}`, 'utf8'), stack);
  for (const g of glyphs) bytesField(3, encodeGlyph(g), stack);
  const out = [];
  bytesField(1, stack, out);
  return Buffer.from(out);
}

/// Writes OUT/{name}/{start}-{end}.pbf for every 256-codepoint range: the ranges in `drawn` with
/// their glyphs, every other range empty (so a label with an uncovered character costs no 404).
export function writeGlyphs(fontFile, name, outDir, drawn = [[0, 767], [8192, 8447]]) {
  const font = opentype.loadSync(fontFile);
  const dir = path.join(outDir, name);
  fs.mkdirSync(dir, { recursive: true });
  let count = 0;
  for (let start = 0; start < 65536; start += 256) {
    const glyphs = [];
    if (drawn.some(([a, b]) => start >= a && start <= b)) {
      for (let cp = start; cp < start + 256; cp++) {
        const glyph = font.charToGlyph(String.fromCodePoint(cp));
        if (!glyph || glyph.index === 0) continue;
        glyphs.push(sdfGlyph(font, glyph, cp));
      }
    }
    count += glyphs.length;
    fs.writeFileSync(path.join(dir, `${start}-${start + 255}.pbf`), encodeRange(name, start, glyphs));
  }
  return count;
}
