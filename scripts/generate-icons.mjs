#!/usr/bin/env node
/**
 * Writes icon.png (128×128) and logo.png (250×100) for the Home Assistant app store: a white
 * cloud over three message dots on a blue rounded square, and the name beside it in a small
 * bitmap font. No image library: shapes are rasterised with 4×4 supersampling and written as
 * PNG with node:zlib. Run: node scripts/generate-icons.mjs
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [21, 101, 192];
const WHITE = [255, 255, 255];
const INK = [38, 50, 56];
const SUBSAMPLES = 4;

function createCanvas(width, height) {
  return { width, height, pixels: new Float64Array(width * height * 4) };
}

/** Paints `color` where `inside(x, y)` holds, with coverage from SUBSAMPLES² samples per pixel. */
function fill(canvas, color, inside) {
  for (let py = 0; py < canvas.height; py++) {
    for (let px = 0; px < canvas.width; px++) {
      let hits = 0;
      for (let sy = 0; sy < SUBSAMPLES; sy++) {
        for (let sx = 0; sx < SUBSAMPLES; sx++) {
          if (inside(px + (sx + 0.5) / SUBSAMPLES, py + (sy + 0.5) / SUBSAMPLES)) hits++;
        }
      }
      if (hits === 0) continue;
      const alpha = hits / SUBSAMPLES ** 2;
      const i = (py * canvas.width + px) * 4;
      const below = canvas.pixels[i + 3];
      const out = alpha + below * (1 - alpha);
      for (let c = 0; c < 3; c++) {
        canvas.pixels[i + c] = (color[c] * alpha + canvas.pixels[i + c] * below * (1 - alpha)) / out;
      }
      canvas.pixels[i + 3] = out;
    }
  }
}

const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const union =
  (...shapes) =>
  (x, y) =>
    shapes.some((s) => s(x, y));

function roundedSquare(x0, y0, size, radius) {
  const x1 = x0 + size;
  const y1 = y0 + size;
  return union(
    rect(x0 + radius, y0, x1 - radius, y1),
    rect(x0, y0 + radius, x1, y1 - radius),
    circle(x0 + radius, y0 + radius, radius),
    circle(x1 - radius, y0 + radius, radius),
    circle(x0 + radius, y1 - radius, radius),
    circle(x1 - radius, y1 - radius, radius),
  );
}

/** The mark in a 128-unit box at (x0, y0), scaled by `scale`. */
function drawMark(canvas, x0, y0, scale) {
  const at = (shape) => (x, y) => shape((x - x0) / scale, (y - y0) / scale);
  fill(canvas, BLUE, at(roundedSquare(0, 0, 128, 26)));
  const cloud = union(circle(42, 66, 18), circle(66, 52, 25), circle(88, 66, 18), rect(42, 66, 88, 84));
  fill(canvas, WHITE, at(cloud));
  fill(canvas, WHITE, at(union(circle(48, 104, 6), circle(65, 104, 6), circle(82, 104, 6))));
}

// 5×9 glyphs (rows 8–9 are the descender), only the letters of the name.
const GLYPHS = {
  n: ['.....', '.....', 'X.XX.', 'XX..X', 'X...X', 'X...X', 'X...X', '.....', '.....'],
  e: ['.....', '.....', '.XXX.', 'X...X', 'XXXXX', 'X....', '.XXX.', '.....', '.....'],
  t: ['.X...', '.X...', 'XXXX.', '.X...', '.X...', '.X..X', '..XX.', '.....', '.....'],
  a: ['.....', '.....', '.XXX.', '....X', '.XXXX', 'X...X', '.XXXX', '.....', '.....'],
  m: ['.....', '.....', 'XX.X.', 'X.X.X', 'X.X.X', 'X...X', 'X...X', '.....', '.....'],
  o: ['.....', '.....', '.XXX.', 'X...X', 'X...X', 'X...X', '.XXX.', '.....', '.....'],
  q: ['.....', '.....', '.XXXX', 'X...X', 'X...X', '.XXXX', '....X', '....X', '....X'],
  2: ['.XXX.', 'X...X', '....X', '...X.', '..X..', '.X...', 'XXXXX', '.....', '.....'],
};

function drawText(canvas, text, x0, y0, pixel) {
  const inside = (x, y) => {
    const column = Math.floor((x - x0) / pixel);
    const row = Math.floor((y - y0) / pixel);
    const glyph = GLYPHS[text[Math.floor(column / 6)]];
    const gx = column % 6;
    return column >= 0 && row >= 0 && gx < 5 && glyph?.[row]?.[gx] === 'X';
  };
  fill(canvas, INK, inside);
}

// PNG: 8-bit RGBA, no interlace, filter 0 on every row.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function encodePng(canvas) {
  const { width, height, pixels } = canvas;
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width * 4; x++) {
      raw[y * (width * 4 + 1) + 1 + x] = Math.round(pixels[y * width * 4 + x] * (x % 4 === 3 ? 255 : 1));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const icon = createCanvas(128, 128);
drawMark(icon, 0, 0, 1);
writeFileSync(new URL('../icon.png', import.meta.url), encodePng(icon));

const logo = createCanvas(250, 100);
drawMark(logo, 6, 8, 84 / 128);
drawText(logo, 'netatmo', 104, 18, 3);
drawText(logo, '2mqtt', 104, 52, 3);
writeFileSync(new URL('../logo.png', import.meta.url), encodePng(logo));
