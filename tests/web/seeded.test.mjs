// views/seeded.js's caches, on a stand-in core that counts its calls: the weights of ten widgets
// with ten seeds at the largest d_model stay cached (a render never recomputes another's), the
// least recently used go first, and the cache holds no more than its float budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededInputs } from '../../web/views/seeded.js';

function countingCore() {
  const calls = { randomMatrix: 0 };
  return {
    calls,
    randomMatrix(rows, cols, seed) {
      calls.randomMatrix++;
      return new Float32Array(rows * cols).fill(seed);
    },
    tokenEmbedding: (token, dModel) => new Float32Array(dModel),
  };
}

test('ten seeds at d_model 512 stay cached; the same arrays come back', () => {
  const core = countingCore();
  const inputs = seededInputs(core);
  const first = Array.from({ length: 10 }, (_, seed) => inputs.weights(512, seed));
  assert.equal(core.calls.randomMatrix, 40);
  for (let round = 0; round < 3; round++) {
    for (let seed = 0; seed < 10; seed++) assert.equal(inputs.weights(512, seed), first[seed]);
  }
  assert.equal(core.calls.randomMatrix, 40, 'no weights recomputed');
});

test('past the float budget the least recently used go first', () => {
  const core = countingCore();
  const inputs = seededInputs(core);
  for (let seed = 0; seed < 16; seed++) inputs.weights(512, seed); // 16 M floats: the budget
  inputs.weights(512, 0); // seed 0 used again: seed 1 is now the oldest
  inputs.weights(512, 99); // over the budget: one goes
  const before = core.calls.randomMatrix;
  inputs.weights(512, 0);
  assert.equal(core.calls.randomMatrix, before, 'seed 0 was kept');
  inputs.weights(512, 1);
  assert.equal(core.calls.randomMatrix, before + 4, 'seed 1 was dropped and is recomputed');
});
