// Model files the JS tests write themselves (a small GGUF v3 writer: F32, F16 and Q8_0 tensors, every
// metadata type the model and tokenizer keys need), random weights for llama / qwen2 / gpt2 with a tokenizer, and an
// independent float64 reference forward in plain JS over the same weights (logits and each head's
// attention weights). Written in JS rather than through the core's writer so that the bytes under test
// do not come from the code under test.

// ---- random numbers (mulberry32, bench/js/common.mjs), reproducible ----
import { mulberry32 as random } from '../../bench/js/common.mjs';

function values(count, rng, scale, offset = 0) {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = offset + scale * (2 * rng() - 1);
  return out;
}

// ---- stored types: F16 and Q8_0 as ggml lays them out ----
// ggml's type ids (ggml.h: GGML_TYPE_F32 = 0, F16 = 1, Q8_0 = 8).
export const GGML_TYPES = Object.freeze({ f32: 0, f16: 1, q8_0: 8 });

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** The IEEE half nearest to v (ties to even), as its 16 bits: ggml's GGML_FP32_TO_FP16. */
export function toHalf(v) {
  f32Scratch[0] = v;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 127 + 15; // the half's biased exponent
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A subnormal half: m · 2^-24, from the 24-bit significand.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rest = mant & ((1 << shift) - 1),
      half = 1 << (shift - 1);
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is right
  return sign | h;
}

/** The value of a half's 16 bits. */
export function fromHalf(h) {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >>> 10) & 0x1f,
    m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * Encodes values (a Float32Array, row-major; for Q8_0 a row's length must be a multiple of 32) in a stored
 * type: 'f16', or 'q8_0' (blocks of 32 along a row: an f16 scale d = amax / 127, then 32 int8 q = round(x / d), to nearest, ties away from
 * zero, as ggml's quantize_row_q8_0_ref). Returns { bytes, values }: values what the file then holds, as
 * float32 (what a correct reader computes with).
 */
export function encodeTensor(data, type) {
  if (type === 'f32') return { bytes: new Uint8Array(data.buffer, data.byteOffset, data.length * 4), values: data };
  const values = new Float32Array(data.length);
  if (type === 'f16') {
    const bits = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) {
      bits[i] = toHalf(data[i]);
      values[i] = fromHalf(bits[i]);
    }
    return { bytes: new Uint8Array(bits.buffer), values };
  }
  if (type === 'q8_0') {
    if (data.length % 32) throw new Error(`Q8_0 needs a multiple of 32 values, got ${data.length}`);
    const bytes = new Uint8Array((data.length / 32) * 34);
    const view = new DataView(bytes.buffer);
    for (let b = 0; b < data.length / 32; b++) {
      let amax = 0;
      for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(data[b * 32 + j]));
      const d = Math.fround(amax / 127),
        id = d ? Math.fround(1 / d) : 0;
      const dBits = toHalf(d),
        dStored = fromHalf(dBits);
      view.setUint16(b * 34, dBits, true);
      for (let j = 0; j < 32; j++) {
        const x = Math.fround(data[b * 32 + j] * id);
        const q = Math.sign(x) * Math.round(Math.abs(x)); // roundf: ties away from zero
        view.setInt8(b * 34 + 2 + j, q);
        values[b * 32 + j] = dStored * q;
      }
    }
    return { bytes, values };
  }
  throw new Error(`encodeTensor: unknown type ${type}`);
}

// ---- GGUF v3 writer ----
const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 };
const utf8 = new TextEncoder();

export class GgufWriter {
  constructor() {
    this.kv = [];
    this.tensors = [];
  }
  add(key, type, value, elem) {
    this.kv.push({ key, type, value, elem });
  }
  // dims innermost first; type 'f32' (data a Float32Array), or 'f16' / 'q8_0' (data the encoded bytes, a
  // Uint8Array from encodeTensor()).
  tensor(name, dims, data, type = 'f32') {
    if (!(type in GGML_TYPES)) throw new Error(`tensor ${name}: type ${type} is not one the writer knows`);
    const bytes = type === 'f32' ? new Uint8Array(data.buffer, data.byteOffset, data.length * 4) : data;
    this.tensors.push({ name, dims, type, bytes });
  }
  finish() {
    const parts = [];
    let size = 0;
    const push = (bytes) => {
      parts.push(bytes);
      size += bytes.length;
    };
    const u32 = (v) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, v, true);
      push(b);
    };
    const i32 = (v) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, v, true);
      push(b);
    };
    const u64 = (v) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
      push(b);
    };
    const f32 = (v) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setFloat32(0, v, true);
      push(b);
    };
    const str = (s) => {
      const b = utf8.encode(s);
      u64(b.length);
      push(b);
    };
    const scalar = (type, v) => {
      if (type === T.u32) u32(v);
      else if (type === T.i32) i32(v);
      else if (type === T.f32) f32(v);
      else if (type === T.bool) push(new Uint8Array([v ? 1 : 0]));
      else if (type === T.string) str(v);
      else throw new Error(`type ${type}`);
    };
    push(utf8.encode('GGUF'));
    u32(3);
    u64(this.tensors.length);
    u64(this.kv.length);
    for (const { key, type, value, elem } of this.kv) {
      str(key);
      u32(type);
      if (type === T.array) {
        u32(elem);
        u64(value.length);
        for (const v of value) scalar(elem, v);
      } else scalar(type, value);
    }
    let offset = 0;
    const offsets = [];
    for (const t of this.tensors) {
      str(t.name);
      u32(t.dims.length);
      for (const d of t.dims) u64(d);
      u32(GGML_TYPES[t.type]);
      u64(offset);
      offsets.push(offset);
      offset += Math.ceil(t.bytes.length / 32) * 32;
    }
    const dataStart = Math.ceil(size / 32) * 32;
    const out = new Uint8Array(dataStart + offset);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    this.tensors.forEach((t, i) => out.set(t.bytes, dataStart + offsets[i]));
    return out;
  }
}

// ---- tokenizers ----
// GPT-2's byte → unicode map.
export function byteToUnicode() {
  const keep = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const map = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++)
    map[b] = keep.includes(b) ? String.fromCodePoint(b) : String.fromCodePoint(256 + extra++);
  return map;
}

// SPM: <unk>, <s>, </s>, <0x00> … <0xFF>, then pieces (text, score). highBytes: false leaves out the
// byte tokens <0x80> … <0xFF>, so that every token's piece is whole UTF-8 (llama.cpp's server, under
// wllama, fails on a generated piece that is not: its JSON writer refuses invalid UTF-8); such a vocabulary
// tokenizes only texts whose non-ASCII characters are pieces of their own.
export function spmVocab(pieces, { highBytes = true } = {}) {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  for (let b = 0; b < (highBytes ? 256 : 128); b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
  }
  const scores = tokens.map(() => 0);
  for (const [t, s] of pieces) {
    tokens.push(t);
    scores.push(s);
    types.push(1);
  }
  return { model: 'llama', tokens, scores, types };
}

// GPT-2 BPE: the 256 byte characters, then the merges' results. highBytes: false keeps only the
// characters of bytes 0x00 … 0x7F (see spmVocab; a byte with no token is dropped, as llama.cpp does).
export function bpeVocab(merges, pre, { highBytes = true } = {}) {
  const tokens = byteToUnicode().slice(0, highBytes ? 256 : 128);
  for (const m of merges) tokens.push(m.replace(' ', ''));
  return { model: 'gpt2', pre, tokens, types: tokens.map(() => 1), merges };
}

/**
 * A vocabulary from a plain description (so a browser page and Node make the same one):
 *   { kind: 'spm', pieces: [[text, score], …], highBytes }   spmVocab
 *   { kind: 'bpe', merges: ['a b', …], pre, highBytes }      bpeVocab
 *   { kind: 'letters', size }   an SPM vocabulary of exactly `size` tokens, byte tokens 0x00–0x7F only,
 *                               pieces ▁, ▁x, xy, ▁xy, xyz … over a–z (words of letters merge into few
 *                               tokens, digits stay one byte token each): the benchmark's.
 */
export function vocabFromSpec(spec) {
  if (spec.kind === 'spm') return spmVocab(spec.pieces, { highBytes: spec.highBytes });
  if (spec.kind === 'bpe') return bpeVocab(spec.merges, spec.pre, { highBytes: spec.highBytes });
  if (spec.kind === 'letters') {
    const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
    const pieces = ['▁', ...letters.map((x) => `▁${x}`)];
    for (const x of letters) for (const y of letters) pieces.push(x + y, `▁${x}${y}`);
    for (const x of letters) for (const y of letters) for (const z of letters) pieces.push(x + y + z);
    const room = spec.size - 3 - 128;
    if (room < 0 || room > pieces.length) throw new Error(`a letters vocabulary holds 131 … ${131 + pieces.length}`);
    return spmVocab(
      pieces.slice(0, room).map((p, i) => [p, -i]),
      { highBytes: false },
    );
  }
  throw new Error(`unknown vocabulary kind ${spec.kind}`);
}

function addVocab(w, v) {
  w.add('tokenizer.ggml.model', T.string, v.model);
  if (v.pre) w.add('tokenizer.ggml.pre', T.string, v.pre);
  w.add('tokenizer.ggml.tokens', T.array, v.tokens, T.string);
  if (v.scores) w.add('tokenizer.ggml.scores', T.array, v.scores, T.f32);
  w.add('tokenizer.ggml.token_type', T.array, v.types, T.i32);
  if (v.merges) w.add('tokenizer.ggml.merges', T.array, v.merges, T.string);
}

const SPM_PIECES = [
  ['▁', -8],
  ['▁O', -1],
  ['▁a', -2],
  ['nce', -3],
  ['▁up', -4],
  ['on', -5],
];
const BPE_MERGES = ['Ġ t', 'h e', 'Ġt he', 'Ġ a', 'Ġ c', 'a t'];

/**
 * A model file and its reference weights. spec: { arch: 'llama'|'qwen2'|'gpt2', d, ff, layers, heads,
 * kvHeads, ctx, tied, seed, type, vocab }. llama gets an SPM tokenizer, qwen2 and gpt2 a GPT-2 BPE one,
 * unless spec.vocab gives one (from spmVocab / bpeVocab); the vocabulary size is the tokenizer's.
 * type ('f32', 'f16', 'q8_0'; default 'f32') is the stored type of every matrix (norms, biases stay F32,
 * as llama.cpp's quantizer leaves them); the reference then holds the values the file stores.
 */
export function writeModel(spec = {}) {
  const s = {
    arch: 'llama',
    d: 32,
    ff: 48,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    ctx: 32,
    tied: false,
    seed: 1,
    type: 'f32',
    ...spec,
  };
  const gpt2 = s.arch === 'gpt2';
  const vocab =
    s.vocab ??
    (s.arch === 'llama' ? spmVocab(SPM_PIECES) : bpeVocab(BPE_MERGES, s.arch === 'qwen2' ? 'qwen2' : 'gpt-2'));
  const nv = vocab.tokens.length;
  const hd = s.d / s.heads,
    kvd = hd * s.kvHeads;
  const rng = random(s.seed);
  const w = new GgufWriter();
  const a = s.arch;
  w.add('general.architecture', T.string, a);
  w.add('general.name', T.string, `js test ${a}`);
  w.add(`${a}.block_count`, T.u32, s.layers);
  w.add(`${a}.embedding_length`, T.u32, s.d);
  w.add(`${a}.feed_forward_length`, T.u32, s.ff);
  w.add(`${a}.attention.head_count`, T.u32, s.heads);
  w.add(`${a}.attention.head_count_kv`, T.u32, s.kvHeads);
  w.add(`${a}.context_length`, T.u32, s.ctx);
  if (gpt2) w.add(`${a}.attention.layer_norm_epsilon`, T.f32, 1e-5);
  else {
    w.add(`${a}.attention.layer_norm_rms_epsilon`, T.f32, 1e-5);
    w.add(`${a}.rope.freq_base`, T.f32, 10000);
  }
  addVocab(w, vocab);
  const ref = { ...s, vocab: nv, hd, layersW: [], rope: gpt2 ? 'none' : a === 'qwen2' ? 'halves' : 'pairs' };
  const mat = (name, rows, cols, scale) => {
    if (s.type === 'q8_0' && cols % 32) throw new Error(`${name}: Q8_0 needs rows of a multiple of 32, got ${cols}`);
    const { bytes, values: stored } = encodeTensor(values(rows * cols, rng, scale), s.type);
    w.tensor(name, [cols, rows], s.type === 'f32' ? stored : bytes, s.type);
    return stored;
  };
  const vec = (name, n, one) => {
    const v = values(n, rng, 0.1, one ? 1 : 0);
    w.tensor(name, [n], v);
    return v;
  };
  const inD = 1.7 / Math.sqrt(s.d),
    inFf = 1.7 / Math.sqrt(s.ff);
  ref.tok = mat('token_embd.weight', nv, s.d, 1.7);
  if (gpt2) ref.pos = mat('position_embd.weight', s.ctx, s.d, 0.5);
  for (let l = 0; l < s.layers; l++) {
    const p = `blk.${l}.`;
    const L = {};
    L.attnNorm = vec(p + 'attn_norm.weight', s.d, true);
    if (gpt2) {
      L.attnNormB = vec(p + 'attn_norm.bias', s.d, false);
      const qkv = mat(p + 'attn_qkv.weight', 3 * s.d, s.d, inD);
      const b = vec(p + 'attn_qkv.bias', 3 * s.d, false);
      const dd = s.d * s.d;
      [L.wq, L.wk, L.wv] = [qkv.subarray(0, dd), qkv.subarray(dd, 2 * dd), qkv.subarray(2 * dd)];
      [L.bq, L.bk, L.bv] = [b.subarray(0, s.d), b.subarray(s.d, 2 * s.d), b.subarray(2 * s.d)];
    } else {
      L.wq = mat(p + 'attn_q.weight', s.d, s.d, inD);
      L.wk = mat(p + 'attn_k.weight', kvd, s.d, inD);
      L.wv = mat(p + 'attn_v.weight', kvd, s.d, inD);
      if (a === 'qwen2') {
        L.bq = vec(p + 'attn_q.bias', s.d, false);
        L.bk = vec(p + 'attn_k.bias', kvd, false);
        L.bv = vec(p + 'attn_v.bias', kvd, false);
      }
    }
    L.wo = mat(p + 'attn_output.weight', s.d, s.d, inD);
    if (gpt2) L.bo = vec(p + 'attn_output.bias', s.d, false);
    L.ffnNorm = vec(p + 'ffn_norm.weight', s.d, true);
    if (gpt2) L.ffnNormB = vec(p + 'ffn_norm.bias', s.d, false);
    if (!gpt2) L.gate = mat(p + 'ffn_gate.weight', s.ff, s.d, inD);
    L.up = mat(p + 'ffn_up.weight', s.ff, s.d, inD);
    L.down = mat(p + 'ffn_down.weight', s.d, s.ff, inFf);
    if (gpt2) {
      L.bUp = vec(p + 'ffn_up.bias', s.ff, false);
      L.bDown = vec(p + 'ffn_down.bias', s.d, false);
    }
    ref.layersW.push(L);
  }
  ref.outNorm = vec('output_norm.weight', s.d, true);
  if (gpt2) ref.outNormB = vec('output_norm.bias', s.d, false);
  ref.out = s.tied ? ref.tok : mat('output.weight', nv, s.d, inD);
  return { bytes: w.finish(), ref, vocab };
}

// ---- the reference forward, float64 ----
function matvec(w, x, rows) {
  const cols = x.length,
    y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += w[r * cols + c] * x[c];
    y[r] = sum;
  }
  return y;
}
function addTo(y, b) {
  if (b) for (let k = 0; k < b.length; k++) y[k] += b[k];
}
function norm(m, x, w, b) {
  const d = x.length,
    y = new Float64Array(d);
  if (m.arch === 'gpt2') {
    let mean = 0,
      v = 0;
    for (const e of x) mean += e;
    mean /= d;
    for (const e of x) v += (e - mean) ** 2;
    v /= d;
    for (let k = 0; k < d; k++) y[k] = ((x[k] - mean) / Math.sqrt(v + 1e-5)) * w[k] + (b ? b[k] : 0);
  } else {
    let ms = 0;
    for (const e of x) ms += e * e;
    ms /= d;
    for (let k = 0; k < d; k++) y[k] = (x[k] / Math.sqrt(ms + 1e-5)) * w[k];
  }
  return y;
}
function rotate(m, v, heads, pos) {
  if (m.rope === 'none') return;
  const hd = m.hd;
  for (let h = 0; h < heads; h++) {
    for (let p = 0; p < hd / 2; p++) {
      const theta = pos * Math.pow(10000, (-2 * p) / hd);
      const a = h * hd + (m.rope === 'pairs' ? 2 * p : p);
      const b = h * hd + (m.rope === 'pairs' ? 2 * p + 1 : p + hd / 2);
      const x0 = v[a],
        x1 = v[b];
      v[a] = x0 * Math.cos(theta) - x1 * Math.sin(theta);
      v[b] = x0 * Math.sin(theta) + x1 * Math.cos(theta);
    }
  }
}

/** { logits: [(vocab) per position], attention: [layer][head] (n, n) } */
export function referenceForward(m, ids) {
  const n = ids.length,
    d = m.d,
    hd = m.hd,
    group = m.heads / m.kvHeads;
  const x = [];
  for (let i = 0; i < n; i++) {
    const row = Float64Array.from(m.tok.subarray(ids[i] * d, (ids[i] + 1) * d));
    if (m.pos) for (let k = 0; k < d; k++) row[k] += m.pos[i * d + k];
    x.push(row);
  }
  const attention = [];
  for (const L of m.layersW) {
    const q = [],
      k = [],
      v = [];
    for (let i = 0; i < n; i++) {
      const xn = norm(m, x[i], L.attnNorm, L.attnNormB);
      q.push(matvec(L.wq, xn, m.heads * hd));
      k.push(matvec(L.wk, xn, m.kvHeads * hd));
      v.push(matvec(L.wv, xn, m.kvHeads * hd));
      (addTo(q[i], L.bq), addTo(k[i], L.bk), addTo(v[i], L.bv));
      rotate(m, q[i], m.heads, i);
      rotate(m, k[i], m.kvHeads, i);
    }
    const concat = x.map(() => new Float64Array(m.heads * hd));
    const heads = [];
    for (let h = 0; h < m.heads; h++) {
      const g = Math.floor(h / group),
        a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        const s = [];
        for (let j = 0; j <= i; j++) {
          let dot = 0;
          for (let e = 0; e < hd; e++) dot += q[i][h * hd + e] * k[j][g * hd + e];
          s.push(dot / Math.sqrt(hd));
        }
        const mx = Math.max(...s);
        const ex = s.map((e) => Math.exp(e - mx));
        const z = ex.reduce((p, c) => p + c, 0);
        for (let j = 0; j <= i; j++) {
          a[i * n + j] = ex[j] / z;
          for (let e = 0; e < hd; e++) concat[i][h * hd + e] += a[i * n + j] * v[j][g * hd + e];
        }
      }
      heads.push(a);
    }
    attention.push(heads);
    for (let i = 0; i < n; i++) {
      const o = matvec(L.wo, concat[i], d);
      addTo(o, L.bo);
      addTo(x[i], o);
      const xn = norm(m, x[i], L.ffnNorm, L.ffnNormB);
      const u = matvec(L.up, xn, m.ff);
      addTo(u, L.bUp);
      if (m.arch === 'gpt2') {
        const gelu = (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
        // m.gelu 'f16-table': as ggml's CPU GELU computes it (GGML_GELU_FP16): x rounded to F16 indexes a
        // table of F16 values, below −10 it is 0, from 10 on x itself.
        const table = (x) => (x <= -10 ? 0 : x >= 10 ? x : fromHalf(toHalf(gelu(fromHalf(toHalf(x))))));
        for (let e = 0; e < u.length; e++) u[e] = m.gelu === 'f16-table' ? table(u[e]) : gelu(u[e]);
      } else {
        const g = matvec(L.gate, xn, m.ff);
        for (let e = 0; e < u.length; e++) u[e] *= g[e] / (1 + Math.exp(-g[e]));
      }
      const dn = matvec(L.down, u, d);
      addTo(dn, L.bDown);
      addTo(x[i], dn);
    }
  }
  const logits = x.map((row) => matvec(m.out, norm(m, row, m.outNorm, m.outNormB), m.vocab));
  return { logits, attention };
}

/**
 * A one-layer llama whose head 0 attends to the previous position by construction (the JS twin of
 * tests/core/heads_test.cpp's model): d_model 32, 4 heads of 8, RoPE on the first 4 dimensions of each
 * head with base 100, W_Q = W_K = 0 and constant biases, so q_i = R(i)·q0 and k_j = R(j)·k0 on RoPE
 * pair 1 (0.1 rad per position, k0 one step ahead of q0): q_i·k_j = A²cos((j − i + 1)·0.1), largest at
 * j = i − 1. Heads 1 … 3 have q = 0: uniform attention. A letters vocabulary of 160 tokens (29 ordinary
 * pieces). zeroWoHead ≥ 0: that head's 8 columns of attn_output.weight are written as zeros (what
 * ablating it must equal). The other weights come from `seed`.
 */
export function writeHeadsModel({ zeroWoHead = -1, seed = 11 } = {}) {
  const d = 32,
    heads = 4,
    hd = 8,
    ff = 16,
    ctx = 48;
  const vocab = vocabFromSpec({ kind: 'letters', size: 160 });
  const nv = vocab.tokens.length;
  const rng = random(seed);
  const w = new GgufWriter();
  w.add('general.architecture', T.string, 'llama');
  w.add('general.name', T.string, 'js heads test');
  w.add('llama.block_count', T.u32, 1);
  w.add('llama.embedding_length', T.u32, d);
  w.add('llama.feed_forward_length', T.u32, ff);
  w.add('llama.attention.head_count', T.u32, heads);
  w.add('llama.attention.head_count_kv', T.u32, heads);
  w.add('llama.context_length', T.u32, ctx);
  w.add('llama.attention.layer_norm_rms_epsilon', T.f32, 1e-5);
  w.add('llama.rope.freq_base', T.f32, 100);
  w.add('llama.rope.dimension_count', T.u32, 4);
  addVocab(w, vocab);
  const ones = (n) => new Float32Array(n).fill(1);
  w.tensor('token_embd.weight', [d, nv], values(nv * d, rng, 1));
  w.tensor('blk.0.attn_norm.weight', [d], ones(d));
  w.tensor('blk.0.attn_q.weight', [d, d], new Float32Array(d * d));
  w.tensor('blk.0.attn_k.weight', [d, d], new Float32Array(d * d));
  w.tensor('blk.0.attn_v.weight', [d, d], values(d * d, rng, 0.3));
  const amp = 100,
    step = 0.1;
  const bq = new Float32Array(d),
    bk = new Float32Array(d);
  bq[2] = amp; // head 0, RoPE pair 1 = dimensions (2, 3)
  bk[2] = amp * Math.cos(step);
  bk[3] = amp * Math.sin(step);
  w.tensor('blk.0.attn_q.bias', [d], bq);
  w.tensor('blk.0.attn_k.bias', [d], bk);
  w.tensor('blk.0.attn_v.bias', [d], new Float32Array(d));
  const wo = values(d * d, rng, 0.3); // (d_model, n_head·head_dim)
  if (zeroWoHead >= 0) for (let r = 0; r < d; r++) wo.fill(0, r * d + zeroWoHead * hd, r * d + (zeroWoHead + 1) * hd);
  w.tensor('blk.0.attn_output.weight', [d, d], wo);
  w.tensor('blk.0.ffn_norm.weight', [d], ones(d));
  w.tensor('blk.0.ffn_gate.weight', [d, ff], values(ff * d, rng, 0.3));
  w.tensor('blk.0.ffn_up.weight', [d, ff], values(ff * d, rng, 0.3));
  w.tensor('blk.0.ffn_down.weight', [ff, d], values(d * ff, rng, 0.3));
  w.tensor('output_norm.weight', [d], ones(d));
  w.tensor('output.weight', [d, nv], values(nv * d, rng, 0.3));
  return w.finish();
}
