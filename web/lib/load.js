// Loading the WebAssembly core: which build the engine can run, fetching and compiling the .wasm
// once (streaming where the host serves application/wasm, from the bytes of the same response
// where it does not), and instantiating the Emscripten module over it. attention.js wraps the
// module this returns in the public API.

// The smallest module that uses a SIMD128 instruction (i32x4.splat in a function body);
// WebAssembly.validate() says whether this engine can run the SIMD build.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// One request for the .wasm: compiled while it streams in when the response says application/wasm,
// else from its bytes (a static host with a wrong MIME type still works, without a second fetch).
async function compile(url, wasmBinary) {
  if (wasmBinary) return WebAssembly.compile(wasmBinary);
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url.href}: HTTP ${response.status}`);
  const type = response.headers.get('Content-Type') ?? '';
  if (/^application\/wasm\b/i.test(type) && typeof WebAssembly.compileStreaming === 'function') {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

// The options of loadAttention(), checked: { useSimd, base, name, wasmUrl, wasmBinary, wasmModule,
// factory }.
export function resolveOptions(options, here) {
  if (options === null || typeof options !== 'object') throw new Error('loadAttention() takes an options object');
  const simd = options.simd ?? 'auto';
  if (!['auto', true, false].includes(simd)) throw new Error(`simd must be 'auto', true or false, got ${String(simd)}`);
  const useSimd = simd === 'auto' ? simdSupported() : simd;
  if (useSimd && !simdSupported()) throw new Error('this engine has no WebAssembly SIMD; load with { simd: false }');
  const base = new URL(options.baseUrl ?? './wasm/', here);
  // module: 'attention' (attention_core*, the attention pass) or 'model' (model_core*, with the
  // model runtime too).
  const module = options.module ?? 'attention';
  if (module !== 'attention' && module !== 'model') throw new Error(`module must be 'attention' or 'model'`);
  const name = `${module}_core${useSimd ? '' : '_scalar'}`;
  const wasmModule = options.wasmModule;
  if (wasmModule !== undefined && !(wasmModule instanceof WebAssembly.Module))
    throw new Error('wasmModule must be a WebAssembly.Module (e.g. core.wasmModule of a loaded core)');
  return {
    base,
    name,
    wasmUrl: new URL(`${name}.wasm`, base),
    wasmBinary: options.wasmBinary,
    wasmModule,
    factory: options.factory,
  };
}

// { module: the instantiated Emscripten module, wasmModule: the compiled WebAssembly.Module }. The
// .wasm is fetched and compiled while the glue module is imported, not after it; a wasmModule
// given (compiled earlier, e.g. by a worker this one replaces) is used as it is.
export async function instantiate({ base, name, wasmUrl, wasmBinary, wasmModule, factory }) {
  const compiled = wasmModule ? Promise.resolve(wasmModule) : compile(wasmUrl, wasmBinary);
  compiled.catch(() => {}); // a failure is reported through instantiateWasm below
  const createModule = factory ?? (await import(new URL(`${name}.js`, base).href)).default;
  let failed;
  const failure = new Promise((resolve, reject) => {
    failed = reject;
  });
  const module = await Promise.race([
    failure,
    createModule({
      instantiateWasm(imports, receive) {
        compiled
          .then(async (wasmModule) => receive(await WebAssembly.instantiate(wasmModule, imports), wasmModule))
          .catch(failed);
        return {};
      },
      print: () => {},
      printErr: (text) => console.warn(`[attention core] ${text}`),
    }),
  ]);
  return { module, wasmModule: await compiled };
}
