// ONNX models for the onnxruntime-web peer, written as ModelProto bytes by a tiny protobuf encoder
// (no dependency, no file on disk). Field numbers are those of onnx/onnx.proto3.
//
// Layout of every model's inputs and outputs: q, k, v, out are (N, H·d) row-major as
// [1, N, H·d] (the layout of ORT's MultiHeadAttention and of our scaledDotProductAttention).

// ---------------------------------------------------------------------------
// Protobuf wire format: varints, length-delimited fields, fixed32 floats.
// ---------------------------------------------------------------------------

const utf8 = new TextEncoder();

function varint(value) {
  let v = BigInt.asUintN(64, BigInt(value));
  const out = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return out;
}

// A message is an array of encoded fields; concat() flattens it into bytes.
const concat = (parts) => {
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
};
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, value) => Uint8Array.from([...key(field, 0), ...varint(value)]);
const bytesField = (field, bytes) => concat([Uint8Array.from([...key(field, 2), ...varint(bytes.length)]), bytes]);
const str = (field, s) => bytesField(field, utf8.encode(s));
const msg = (field, parts) => bytesField(field, concat(parts));
const f32 = (field, value) => {
  const k = key(field, 5),
    b = new Uint8Array(k.length + 4);
  b.set(k);
  new DataView(b.buffer).setFloat32(k.length, value, true);
  return b;
};

// ---------------------------------------------------------------------------
// ONNX messages.
// ---------------------------------------------------------------------------

const FLOAT = 1,
  INT64 = 7;

// AttributeProto: name 1, f 2, i 3, type 20 (FLOAT 1, INT 2, INTS 7), ints 8.
export const attr = {
  int: (name, i) => [str(1, name), int(3, i), int(20, 2)],
  float: (name, f) => [str(1, name), f32(2, f), int(20, 1)],
  ints: (name, list) => [str(1, name), ...list.map((i) => int(8, i)), int(20, 7)],
  tensor: (name, t) => [str(1, name), msg(5, t), int(20, 4)],
};

// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7.
export function node(opType, inputs, outputs, attributes = [], domain = '') {
  return [
    ...inputs.map((i) => str(1, i)),
    ...outputs.map((o) => str(2, o)),
    str(4, opType),
    ...attributes.map((a) => msg(5, a)),
    ...(domain ? [str(7, domain)] : []),
  ];
}

// ValueInfoProto { name 1, type 2: TypeProto { tensor_type 1: { elem_type 1, shape 2 } } };
// a dim is a number (dim_value 1) or a string (dim_param 2).
function valueInfo(name, dims, elemType = FLOAT) {
  const shape = dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : str(2, d)]));
  return [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, shape)])])];
}

// TensorProto: dims 1, data_type 2, name 8, raw_data 9 (little-endian).
function tensor(name, dims, values, elemType) {
  const raw =
    elemType === INT64
      ? new Uint8Array(BigInt64Array.from(values, BigInt).buffer)
      : new Uint8Array(Float32Array.from(values).buffer);
  return [...dims.map((d) => int(1, d)), int(2, elemType), str(8, name), bytesField(9, raw)];
}
export const int64s = (name, values) => tensor(name, [values.length], values, INT64);
export const int64Scalar = (name, value) => tensor(name, [], [value], INT64);
export const floats = (name, dims, values) => tensor(name, dims, values, FLOAT);

// ModelProto: ir_version 1, graph 7, opset_import 8 { domain 1, version 2 }.
// GraphProto: node 1, name 2, initializer 5, input 11, output 12.
export function model({ nodes, inputs, outputs, initializers = [], opsets = { '': 21 } }) {
  const graph = [
    ...nodes.map((n) => msg(1, n)),
    str(2, 'g'),
    ...initializers.map((t) => msg(5, t)),
    ...inputs.map(([name, dims]) => msg(11, valueInfo(name, dims))),
    ...outputs.map(([name, dims]) => msg(12, valueInfo(name, dims))),
  ];
  const opsetImport = Object.entries(opsets).map(([domain, version]) =>
    msg(8, [...(domain ? [str(1, domain)] : []), int(2, version)]),
  );
  return concat([int(1, 10), str(2, 'attention-playground-bench'), msg(7, graph), ...opsetImport]);
}

// ---------------------------------------------------------------------------
// The models the benchmark runs. Sequence length is a dynamic dim, so one session serves every N.
// ---------------------------------------------------------------------------

const io = (D) => ({
  inputs: [
    ['q', [1, 'N', D]],
    ['k', [1, 'N', D]],
    ['v', [1, 'N', D]],
  ],
  outputs: [['out', [1, 'N', D]]],
});

// The attention formulations ORT offers, by name:
//   mha     com.microsoft MultiHeadAttention (the fused CPU contrib op), unidirectional = causal
//   onnx23  ONNX opset-23 Attention, is_causal
//   graph   MatMul(Q·scale, Kᵀ) → (+ Trilu −∞ mask) → Softmax → MatMul(V), batched over heads
export const ATTENTION_MODELS = {
  mha: ({ heads, dHead, causal }) =>
    model({
      ...io(heads * dHead),
      nodes: [
        node(
          'MultiHeadAttention',
          ['q', 'k', 'v'],
          ['out'],
          [attr.int('num_heads', heads), attr.int('unidirectional', causal ? 1 : 0)],
          'com.microsoft',
        ),
      ],
      opsets: { '': 21, 'com.microsoft': 1 },
    }),
  onnx23: ({ heads, dHead, causal }) =>
    model({
      ...io(heads * dHead),
      nodes: [
        node(
          'Attention',
          ['q', 'k', 'v'],
          ['out'],
          [attr.int('q_num_heads', heads), attr.int('kv_num_heads', heads), attr.int('is_causal', causal ? 1 : 0)],
        ),
      ],
      opsets: { '': 23 },
    }),
  graph: ({ heads, dHead, causal }) => {
    const perm = (p) => [attr.ints('perm', p)];
    const nodes = [
      node('Mul', ['q', 'scale'], ['qs']), // (1, N, H·d)
      node('Reshape', ['qs', 'split'], ['q4']),
      node('Transpose', ['q4'], ['qh'], perm([0, 2, 1, 3])), // (1, H, N, d)
      node('Reshape', ['k', 'split'], ['k4']),
      node('Transpose', ['k4'], ['kh'], perm([0, 2, 3, 1])), // (1, H, d, N)
      node('Reshape', ['v', 'split'], ['v4']),
      node('Transpose', ['v4'], ['vh'], perm([0, 2, 1, 3])), // (1, H, N, d)
      node('MatMul', ['qh', 'kh'], ['s']), // (1, H, N_query, N_key)
    ];
    let scores = 's';
    if (causal) {
      nodes.push(
        node('Shape', ['s'], ['nn'], [attr.int('start', -2)]), // [N, N]
        node('ConstantOfShape', ['nn'], ['ninf'], [attr.tensor('value', floats('', [1], [-Infinity]))]),
        node('Trilu', ['ninf', 'one'], ['mask'], [attr.int('upper', 1)]), // −∞ where j > i, else 0
        node('Add', ['s', 'mask'], ['sm']),
      );
      scores = 'sm';
    }
    nodes.push(
      node('Softmax', [scores], ['p'], [attr.int('axis', -1)]), // over keys
      node('MatMul', ['p', 'vh'], ['oh']), // (1, H, N, d)
      node('Transpose', ['oh'], ['o4'], perm([0, 2, 1, 3])),
      node('Reshape', ['o4', 'merge'], ['out']),
    ); // (1, N, H·d)
    return model({
      ...io(heads * dHead),
      nodes,
      initializers: [
        floats('scale', [], [1 / Math.sqrt(dHead)]),
        int64s('split', [0, 0, heads, dHead]),
        int64s('merge', [0, 0, heads * dHead]),
        ...(causal ? [int64Scalar('one', 1)] : []),
      ],
    });
  },
};

// C(m, n) = A(m, k)·B(k, n) with B a constant (initializer), as a projection's weights are: ORT
// may pre-pack it once at session creation.
export function gemmModel({ k, n }, b) {
  return model({
    inputs: [['a', ['M', k]]],
    outputs: [['c', ['M', n]]],
    nodes: [node('MatMul', ['a', 'b'], ['c'])],
    initializers: [floats('b', [k, n], b)],
  });
}
