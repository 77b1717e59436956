// The Train worker: one trainer (web/lib/train.js) trained off the page's thread.
// Messages in: { type: 'create', options }, { type: 'start' }, { type: 'pause' }, { type: 'step', n },
// { type: 'export' }. Out: 'created' { options, info, attention, evaluation }, 'progress' { steps,
// loss, accuracy (Float32Array, one value per step since the last report), lr, attention,
// evaluation, stepsPerSecond, running }, 'exported' { bytes, name }, 'error' { message }.
// While running, the worker trains CHUNK steps, reports, then yields (setTimeout 0), so a 'pause'
// or a new 'create' is read between chunks.

import { createTrainer } from '../../lib/train.js';

const CHUNK = 5; // steps between reports while running
const EVAL_SEQUENCES = 64; // held-out sequences behind each report's accuracy

let trainer = null;
let running = false;
let generation = 0; // bumps on every create: a loop of an older trainer stops
let ready = Promise.resolve(); // the last create: later messages wait for it

// n steps, then the report: stepsPerSecond is n over the wall-clock time of the steps and of the
// report's evaluation and probe together (what the reader waits for between two redraws).
function trainSteps(n) {
  const begun = performance.now();
  const result = trainer.step(n);
  const attention = trainer.attention();
  const evaluation = trainer.evaluate(EVAL_SEQUENCES);
  const seconds = (performance.now() - begun) / 1000;
  self.postMessage({
    type: 'progress',
    steps: result.steps,
    loss: result.loss,
    accuracy: result.accuracy,
    lr: result.lr,
    attention,
    evaluation,
    stepsPerSecond: seconds > 0 ? n / seconds : 0,
    running,
  });
}

function loop(mine) {
  if (!running || mine !== generation || !trainer) return;
  try {
    trainSteps(CHUNK);
  } catch (err) {
    running = false;
    self.postMessage({ type: 'error', message: err.message });
    return;
  }
  setTimeout(() => loop(mine), 0);
}

async function create(options) {
  running = false;
  generation += 1;
  trainer?.dispose();
  trainer = null;
  trainer = await createTrainer(options);
  self.postMessage({
    type: 'created',
    options: trainer.options,
    info: trainer.info(),
    attention: trainer.attention(),
    evaluation: trainer.evaluate(EVAL_SEQUENCES),
  });
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'create') {
      ready = create(data.options);
      await ready;
      return;
    }
    await ready.catch(() => {});
    if (!trainer) throw new Error('no model to train: the settings above could not make one');
    if (data.type === 'start') {
      if (!running) {
        running = true;
        loop(generation);
      }
    } else if (data.type === 'pause') running = false;
    else if (data.type === 'step') trainSteps(data.n ?? 1);
    else if (data.type === 'export') {
      const bytes = trainer.exportGguf();
      self.postMessage({ type: 'exported', bytes, name: `${trainer.options.task}.gguf` }, [bytes.buffer]);
    }
  } catch (err) {
    running = false;
    self.postMessage({ type: 'error', message: err.message });
  }
};
