// The model runtime in wasm under Node (issue 13's speed section): the issue's random llama of
// 29.9 M parameters (d_model 512, hidden 1408, 8 layers, 8 heads, 8 kv heads, vocab 4096, context
// 1024, separate output matrix), written here as GGUF v3 in F32 and in Q8_0, loaded through
// web/lib/model.js (the page's API and module, model_core.wasm), then:
//   prompt 128 and 512 tokens: forward() of the ids, which keeps every layer's X, Q, K, V so that
//     any head's attention can be drawn afterwards (ms, median of --reps);
//   generate 32: generate(prompt of 16, 33 steps) − generate(prompt of 16, 1 step), i.e. the 32
//     KV-cache steps after the prompt, greedy (tokens/s, medians of --reps each);
//   memory: the bytes malloc holds with the model loaded (and with a 512-token pass kept), and the
//     wasm heap, against the file size.
// Node's V8 runs the same wasm as Chromium, so this predicts the page (bench/NOTES.md).
//
//   node bench/js/model-node.mjs [--reps N] [--types F32,Q8_0] [--simd | --scalar] [--json]
import { loadModel, memoryStats } from '../../web/lib/model.js';
import { mulberry32 } from './common.mjs';

const SHAPE = { d: 512, ff: 1408, layers: 8, heads: 8, kvHeads: 8, vocab: 4096, ctx: 1024 };
const GGML = { F32: 0, Q8_0: 8 };

// ---- float → IEEE half, rounding to nearest even (the Q8_0 block scale) ----
const f32 = new Float32Array(1),
  u32 = new Uint32Array(f32.buffer);
function toHalf(x) {
  f32[0] = x;
  const bits = u32[0],
    sign = (bits >>> 16) & 0x8000,
    abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0);
  if (abs >= 0x477ff000) return sign | 0x7c00;
  if (abs < 0x38800000) {
    u32[0] = abs;
    const v = f32[0] * 2 ** 24; // the value in units of 2^-24, the smallest subnormal
    const r = Math.round(v);
    return sign | (r - v === 0.5 && r % 2 ? r - 1 : r); // a tie goes to even
  }
  return sign | ((abs + 0xfff + ((abs >>> 13) & 1) - 0x38000000) >>> 13);
}

// ---- one tensor's bytes in its type: Q8_0 as ggml's reference quantizer (d = max|x|/127) ----
function encode(type, values) {
  if (type === 'F32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const blocks = values.length / 32,
    out = new Uint8Array(blocks * 34),
    view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(values[32 * b + j]));
    const d = amax / 127,
      id = d ? 1 / d : 0;
    view.setUint16(34 * b, toHalf(d), true);
    for (let j = 0; j < 32; j++) view.setInt8(34 * b + 2 + j, Math.round(values[32 * b + j] * id));
  }
  return out;
}

// ---- GGUF v3 with typed tensors (alignment 32) ----
function writeGguf(kv, tensors) {
  const enc = new TextEncoder(),
    parts = [];
  let size = 0;
  const push = (b) => (parts.push(b), (size += b.length));
  const num = (bytes, set) => {
    const b = new Uint8Array(bytes);
    set(new DataView(b.buffer));
    push(b);
  };
  const U32 = (v) => num(4, (dv) => dv.setUint32(0, v, true));
  const U64 = (v) => num(8, (dv) => dv.setBigUint64(0, BigInt(v), true));
  const str = (s) => {
    const b = enc.encode(s);
    U64(b.length);
    push(b);
  };
  push(enc.encode('GGUF'));
  U32(3);
  U64(tensors.length);
  U64(kv.length);
  for (const [key, type, value] of kv) {
    str(key);
    U32(type); // 4 u32, 6 f32, 8 string
    if (type === 4) U32(value);
    else if (type === 6) num(4, (dv) => dv.setFloat32(0, value, true));
    else str(value);
  }
  let offset = 0;
  const offsets = [];
  for (const t of tensors) {
    str(t.name);
    U32(t.dims.length);
    for (const d of t.dims) U64(d);
    U32(GGML[t.type]);
    U64(offset);
    offsets.push(offset);
    offset += Math.ceil(t.bytes.length / 32) * 32;
  }
  const start = Math.ceil(size / 32) * 32,
    out = new Uint8Array(start + offset);
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  tensors.forEach((t, i) => out.set(t.bytes, start + offsets[i]));
  return out;
}

// The model with uniform random weights (variance sd², as bench/native/bench_model.cpp).
export function benchModelFile(type) {
  const { d, ff, layers, heads, kvHeads, vocab, ctx } = SHAPE;
  const rng = mulberry32(1);
  const tensors = [];
  const mat = (name, rows, cols, sd) => {
    const v = new Float32Array(rows * cols);
    for (let i = 0; i < v.length; i++) v[i] = (rng() - 0.5) * 3.4641 * sd;
    tensors.push({ name, dims: [cols, rows], type, bytes: encode(type, v) });
  };
  const ones = (name) =>
    tensors.push({ name, dims: [d], type: 'F32', bytes: encode('F32', new Float32Array(d).fill(1)) });
  const sd = 1 / Math.sqrt(d),
    sdf = 1 / Math.sqrt(ff);
  mat('token_embd.weight', vocab, d, 1);
  for (let l = 0; l < layers; l++) {
    const p = `blk.${l}.`;
    ones(p + 'attn_norm.weight');
    for (const m of ['attn_q', 'attn_k', 'attn_v', 'attn_output']) mat(`${p}${m}.weight`, d, d, sd);
    ones(p + 'ffn_norm.weight');
    mat(p + 'ffn_gate.weight', ff, d, sd);
    mat(p + 'ffn_up.weight', ff, d, sd);
    mat(p + 'ffn_down.weight', d, ff, sdf);
  }
  ones('output_norm.weight');
  mat('output.weight', vocab, d, sd);
  const kv = [
    ['general.architecture', 8, 'llama'],
    ['llama.block_count', 4, layers],
    ['llama.embedding_length', 4, d],
    ['llama.feed_forward_length', 4, ff],
    ['llama.attention.head_count', 4, heads],
    ['llama.attention.head_count_kv', 4, kvHeads],
    ['llama.context_length', 4, ctx],
    ['llama.attention.layer_norm_rms_epsilon', 6, 1e-5],
  ];
  return writeGguf(kv, tensors);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const time = (f) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

export async function runModelBench({ reps = 3, types = ['F32', 'Q8_0'], simd = true, log = console.log } = {}) {
  const ids = Int32Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % SHAPE.vocab);
  const rows = [];
  for (const type of types) {
    const file = benchModelFile(type);
    const model = await loadModel(file, { simd });
    try {
      const mem = await memoryStats({ simd });
      // Warm-up: V8 tiers the hot functions up on the first calls (bench/NOTES.md, "Warm-up").
      model.forward(ids.subarray(0, 64));
      model.generate(ids.subarray(0, 16), 4);
      const prompt = {};
      for (const n of [128, 512]) {
        prompt[n] = median(Array.from({ length: reps }, () => time(() => model.forward(ids.subarray(0, n)))));
      }
      const afterForward = await memoryStats({ simd }); // the 512-token pass is still held
      const p16 = ids.subarray(0, 16);
      const full = median(Array.from({ length: reps }, () => time(() => model.generate(p16, 33))));
      const only = median(Array.from({ length: reps }, () => time(() => model.generate(p16, 1))));
      const row = {
        type,
        fileBytes: file.length,
        heapBytes: mem.heapBytes,
        allocatedBytes: mem.allocatedBytes,
        allocatedWithPass512Bytes: afterForward.allocatedBytes,
        prompt128Ms: prompt[128],
        prompt512Ms: prompt[512],
        generateTokS: 32 / ((full - only) / 1000),
      };
      rows.push(row);
      const mib = (b) => (b / 2 ** 20).toFixed(1);
      log(
        `${type.padEnd(5)} file ${mib(row.fileBytes)} MiB, malloc ${mib(row.allocatedBytes)} MiB (${mib(row.allocatedWithPass512Bytes)} with a 512-token pass), ` +
          `heap ${mib(row.heapBytes)} MiB | ` +
          `prompt 128: ${row.prompt128Ms.toFixed(1)} ms, 512: ${row.prompt512Ms.toFixed(1)} ms | generate 32: ${row.generateTokS.toFixed(1)} tok/s`,
      );
    } finally {
      model.dispose();
    }
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name) => process.argv.indexOf(name);
  const reps = arg('--reps') > 0 ? Number(process.argv[arg('--reps') + 1]) : 3;
  const types = arg('--types') > 0 ? process.argv[arg('--types') + 1].split(',') : ['F32', 'Q8_0'];
  const simd = arg('--scalar') < 0;
  console.log(
    `model runtime in wasm under Node ${process.versions.node} (${simd ? 'SIMD' : 'scalar'} module), medians of ${reps}`,
  );
  const rows = await runModelBench({ reps, types, simd });
  if (arg('--json') > 0) console.log(JSON.stringify(rows));
}
