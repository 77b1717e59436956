// Colour tables for the heatmaps: 256 RGBA entries each, built once at module load.
//
//   viridis  — perceptually uniform, dark (low) to yellow (high); used for softmax weights.
//              Interpolated from the eleven published samples viridis(0), viridis(0.1), … viridis(1).
//   diverging — blue (negative) through white (0) to red (positive), for signed matrices.
//              Built from the ColorBrewer RdBu stops, reversed so that blue is negative.
//
// A table is a Uint8ClampedArray of 256·4 bytes, index k at [4k, 4k+4).

export const TABLE_SIZE = 256;

// The colour a masked (−∞) cell is filled with. Not in either table: grey, with full alpha.
export const MASKED_RGBA = Object.freeze([204, 204, 204, 255]);

const VIRIDIS_STOPS = [
  '#440154',
  '#482475',
  '#414487',
  '#355f8d',
  '#2a788e',
  '#21918c',
  '#22a884',
  '#44bf70',
  '#7ad151',
  '#bddf26',
  '#fde725',
];

const DIVERGING_STOPS = [
  '#053061',
  '#2166ac',
  '#4393c3',
  '#92c5de',
  '#d1e5f0',
  '#f7f7f7',
  '#fddbc7',
  '#f4a582',
  '#d6604d',
  '#b2182b',
  '#67001f',
];

function parseHex(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

// Piecewise-linear interpolation of evenly spaced stops into a 256-entry table.
function buildTable(stops) {
  const rgb = stops.map(parseHex);
  const table = new Uint8ClampedArray(TABLE_SIZE * 4);
  const segments = rgb.length - 1;
  for (let k = 0; k < TABLE_SIZE; k++) {
    const x = (k / (TABLE_SIZE - 1)) * segments;
    const s = Math.min(Math.floor(x), segments - 1);
    const f = x - s;
    for (let c = 0; c < 3; c++) {
      table[4 * k + c] = Math.round(rgb[s][c] + (rgb[s + 1][c] - rgb[s][c]) * f);
    }
    table[4 * k + 3] = 255;
  }
  return table;
}

export const colormaps = Object.freeze({
  viridis: buildTable(VIRIDIS_STOPS),
  diverging: buildTable(DIVERGING_STOPS),
});

// Index into a table for value v on the range [lo, hi]; values outside are clamped.
export function tableIndex(v, lo, hi) {
  if (!(hi > lo)) return TABLE_SIZE >> 1;
  const k = Math.round(((v - lo) / (hi - lo)) * (TABLE_SIZE - 1));
  return k < 0 ? 0 : k > TABLE_SIZE - 1 ? TABLE_SIZE - 1 : k;
}

// The [r, g, b] a value gets, for tests and legends.
export function colorOf(table, v, lo, hi) {
  if (!Number.isFinite(v)) return MASKED_RGBA.slice(0, 3);
  const k = tableIndex(v, lo, hi);
  return [table[4 * k], table[4 * k + 1], table[4 * k + 2]];
}

// Symmetric range around 0 covering every finite value: [−m, m], never empty.
export function symmetricRange(data) {
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]);
    if (a > m && a !== Infinity) m = a;
  }
  return m > 0 ? [-m, m] : [-1, 1];
}
