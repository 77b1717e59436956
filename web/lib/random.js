// mulberry32: a small seeded generator of uniforms in [0, 1), the same numbers in every engine.
// The widget's built-in texts (widget/builtin-models.js), the benchmark's inputs and the fuzzers'
// cases (bench/js/common.mjs) are drawn from it.
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
