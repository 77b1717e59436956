// The boundary of the JS API: every input a caller passes is read here, entirely in JavaScript,
// before anything reaches the wasm module: into arrays this module owns, or, for a Float32Array,
// a fresh view of its memory whose length is the typed array's own.
// So no getter, proxy trap or lying `length` can run — or throw — while C++ holds memory, and a
// refused call leaves the module exactly as it was. Each check names the parameter and says what
// it should be.
//
// Accepted arrays: Float32Array and Float64Array (of any realm; their length is read from the
// typed array itself, not from a `length` property an object may redefine), or Arrays of
// numbers. A detached buffer, a sparse Array, a getter or a proxy that throws: refused.

// The bounds on values and the temperature are the core's (buildInfo.limits: maxMagnitude,
// minTemperature, maxTemperature), which keep every product the core forms finite in float32.

const TypedArray = Object.getPrototypeOf(Uint8Array.prototype);
const typedTag = Object.getOwnPropertyDescriptor(TypedArray, Symbol.toStringTag).get;
const typedLength = Object.getOwnPropertyDescriptor(TypedArray, 'length').get;
const typedBuffer = Object.getOwnPropertyDescriptor(TypedArray, 'buffer').get;
const byteOffset = Object.getOwnPropertyDescriptor(TypedArray, 'byteOffset').get;
const bufferDetached = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'detached')?.get;

// The typed array's kind ('Float32Array', …), or undefined for anything else (proxies included).
function typedKind(value) {
  try {
    return typedTag.call(value);
  } catch {
    return undefined;
  }
}

function isArray(value) {
  try {
    return Array.isArray(value);
  } catch {
    return false; // a revoked proxy
  }
}

// A short description of any value for a message: never calls the value's own code.
export function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  const kind = typeof value;
  if (kind === 'bigint') return `${value}n (a BigInt)`;
  if (kind === 'symbol') return 'a Symbol';
  if (kind === 'function') return 'a function';
  if (kind === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (kind !== 'object') return String(value);
  const tag = typedKind(value);
  if (tag) return `a ${tag} of ${typedLength.call(value)}`;
  if (value instanceof DataView || Object.prototype.toString.call(value) === '[object DataView]') return 'a DataView';
  if (isArray(value)) {
    try {
      return `an Array of ${value.length}`;
    } catch {
      return 'an Array';
    }
  }
  return 'an object';
}

export function fail(message) {
  throw new Error(message);
}

// An integer in [min, max].
export function readInteger(name, value, min, max) {
  if (typeof value !== 'number' || !Number.isInteger(value)) fail(`${name} must be an integer, got ${describe(value)}`);
  if (value < min || value > max) fail(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function readBoolean(name, value) {
  if (typeof value !== 'boolean') fail(`${name} must be true or false, got ${describe(value)}`);
  return value;
}

export function readTemperature(value, { minTemperature, maxTemperature }) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(`temperature must be a finite number, got ${describe(value)}`);
  }
  if (value < minTemperature || value > maxTemperature) {
    fail(`temperature must be between ${minTemperature} and ${maxTemperature}, got ${value}`);
  }
  return value;
}

// The entries of an Array, each read once; a getter or trap that throws is reported, not passed on.
function readEntries(name, value, length) {
  const out = new Array(length);
  for (let i = 0; i < length; i++) {
    try {
      out[i] = value[i];
    } catch (err) {
      fail(`${name} could not be read at index ${i}: ${err?.message ?? describe(err)}`);
    }
  }
  return out;
}

function arrayLength(name, value) {
  try {
    return value.length;
  } catch (err) {
    return fail(`${name} could not be read: ${err?.message ?? describe(err)}`);
  }
}

// (row, col) of entry i of a matrix with `cols` columns, for messages.
const at = (i, cols) => (cols > 1 ? `index ${i} (row ${Math.floor(i / cols)}, column ${i % cols})` : `index ${i}`);

// A float input of `length` values (shape: how the length is made, for the message; cols: the
// row length, to name a bad entry's row and column) → a Float32Array with an honest length: for
// a Float32Array a new view of its memory (the core checks its values), for anything else a new
// array this module filled, every value finite and within ±maxMagnitude.
export function readFloats(name, value, length, shape, { cols = 1, maxMagnitude }) {
  const tag = typedKind(value);
  let source;
  if (tag === 'Float32Array' || tag === 'Float64Array') {
    if (bufferDetached?.call(typedBuffer.call(value))) {
      fail(`${name}'s buffer is detached (it was transferred): pass an array that holds its values`);
    }
    const real = typedLength.call(value);
    if (real !== length) {
      fail(
        `${name} must hold ${shape} = ${length} values, got ${real}${real === 0 ? ' (an empty or detached buffer)' : ''}`,
      );
    }
    if (tag === 'Float32Array') {
      // A fresh view of the same memory, whose length nothing can redefine: the core copies it
      // in with one typed-array set (which cannot throw) and checks every value itself,
      // vectorised, with the same bound and a message naming row and column. No copy here.
      return new Float32Array(typedBuffer.call(value), byteOffset.call(value), real);
    }
    source = value;
  } else if (tag || isArray(value)) {
    if (tag) fail(`${name} must be a Float32Array, a Float64Array or an Array of numbers, got ${describe(value)}`);
    const real = arrayLength(name, value);
    if (real !== length) fail(`${name} must hold ${shape} = ${length} values, got ${real}`);
    source = readEntries(name, value, length);
    for (let i = 0; i < length; i++) {
      if (typeof source[i] !== 'number') {
        fail(
          `${name} must hold numbers, got ${i in source && source[i] !== undefined ? describe(source[i]) : 'a hole'} at ${at(i, cols)}`,
        );
      }
    }
  } else {
    fail(`${name} must be a Float32Array, a Float64Array or an Array of numbers, got ${describe(value)}`);
  }
  // Checked before the float32 copy: 1e39 would become Infinity there.
  for (let i = 0; i < length; i++) {
    const v = source[i];
    if (!(Math.abs(v) <= maxMagnitude)) {
      fail(
        Number.isNaN(v) || !Number.isFinite(v)
          ? `${name} holds a non-finite value (${v}) at ${at(i, cols)}`
          : `${name} holds ${Number(v.toPrecision(8))} at ${at(i, cols)}: values must be within ±${maxMagnitude}`,
      );
    }
  }
  return new Float32Array(source);
}

// A 0/1 input of `length` values → a new Uint8Array.
export function readMask(name, value, length, shape) {
  const tag = typedKind(value);
  let source;
  if (tag === 'Uint8Array' || tag === 'Uint8ClampedArray' || tag === 'Int8Array') {
    if (bufferDetached?.call(typedBuffer.call(value))) fail(`${name}'s buffer is detached (it was transferred)`);
    const real = typedLength.call(value);
    if (real !== length) fail(`${name} must hold ${shape} = ${length} values, got ${real}`);
    source = value;
  } else if (!tag && isArray(value)) {
    const real = arrayLength(name, value);
    if (real !== length) fail(`${name} must hold ${shape} = ${length} values, got ${real}`);
    source = readEntries(name, value, length);
  } else {
    fail(`${name} must be a Uint8Array or an Array of 0 and 1, got ${describe(value)}`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const v = source[i];
    if (v !== 0 && v !== 1 && v !== true && v !== false)
      fail(`${name} must hold only 0 and 1, got ${describe(v)} at index ${i}`);
    out[i] = v ? 1 : 0;
  }
  return out;
}

// An Array of strings, each at most maxLength UTF-16 units → a new Array of them.
export function readStrings(name, value, { maxCount, maxLength }) {
  if (!isArray(value)) fail(`${name} must be an Array of strings, got ${describe(value)}`);
  const count = arrayLength(name, value);
  if (count > maxCount) fail(`${name} must hold at most ${maxCount} strings, got ${count}`);
  const out = readEntries(name, value, count);
  for (let i = 0; i < count; i++) {
    const s = out[i];
    if (typeof s !== 'string')
      fail(`${name}[${i}] must be a string, got ${i in out && s !== undefined ? describe(s) : 'a hole'}`);
    if (s.length > maxLength) fail(`${name}[${i}] has ${s.length} characters; at most ${maxLength}`);
  }
  return out;
}

// The parameter object of a call: a plain object whose fields are read once (no proxies).
export function readObject(name, value) {
  if (value === null || typeof value !== 'object' || isArray(value))
    fail(`${name} takes a parameter object, got ${describe(value)}`);
  return value;
}
