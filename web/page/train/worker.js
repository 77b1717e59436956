// The Train worker: one trainer (web/lib/train.js) trained off the page's thread.
// Messages in: { type: 'create', options }, { type: 'start' }, { type: 'pause' }, { type: 'step', n },
// { type: 'export' }. Out: 'created' { options, info, ...maps, ...held-out }, 'progress' { steps,
// loss, accuracy (Float32Array, one value per step since the last report; may be empty), running,
// stepsPerSecond, and some of: the maps { attention, heads (trainer.headScores()), at (their step) },
// the held-out { evaluation, evaluatedAt } }, 'exported' { bytes, name }, 'error' { message }.
//
// While running, each turn of the worker does one thing, then yields to its message queue (a
// MessageChannel turn, not setTimeout's clamped delay): a slice of steps (one at a time for SLICE_MS,
// at least one), or the maps, or the held-out evaluation. A 'pause' or a new 'create' is thus read
// after at most one step or one report even when a step takes long (4 layers × 8 heads × d_model
// 256: about 0.2 s a step in Node, the evaluation 0.3 s), and no step runs after it.

import { createTrainer } from '../../lib/train.js';

const SLICE_MS = 30; // training between two yields
const REPORT_MS = 200; // the maps at most this often while running
const RATE_WINDOW_MS = 2000; // steps per second over this much of the recent wall clock
const EVAL_SEQUENCES = 64; // held-out sequences behind each evaluation

let trainer = null;
let running = false;
let run = 0; // bumps on every create and start: the turns of an older loop stop
let ready = Promise.resolve(); // the last create: later messages wait for it
let mapsDue = 0; // performance.now() when the running loop next sends the maps
let evaluationDue = false; // the turn after the maps sends the held-out evaluation
let reportBegun = 0; // when the last maps began (their cost and the evaluation's set the next)
let samples = []; // [time, steps] while running, for stepsPerSecond

// The next turn of the worker's event loop, after any message already queued.
const channel = new MessageChannel();
const queued = []; // one callback per message in flight on the channel
channel.port1.onmessage = () => queued.shift()?.();
function yieldThen(f) {
  queued.push(f);
  channel.port2.postMessage(null);
}

// What the page redraws the maps from: the probe's attention and every head's scores on the
// detector's templates, scored on the same weights each time (a few forwards: cheap beside a step).
function maps() {
  let heads;
  try {
    heads = trainer.headScores({ seed: 1, probes: 8 });
  } catch (err) {
    heads = { error: err.message };
  }
  return { attention: trainer.attention(), heads, at: trainer.info().steps };
}

// The held-out evaluation (on a big model it costs more than a step: a turn of its own).
function heldOut() {
  return { evaluation: trainer.evaluate(EVAL_SEQUENCES), evaluatedAt: trainer.info().steps };
}

// Everything at once, when not running ('created', after 'step' and 'pause').
function snapshot() {
  return { ...maps(), ...heldOut() };
}

// A report of no new steps: `fields` alone.
function still(fields) {
  return { type: 'progress', ...fields, steps: trainer.info().steps, loss: [], accuracy: [], running };
}

function rate() {
  if (samples.length < 2) return 0;
  const [t0, s0] = samples[0];
  const [t1, s1] = samples[samples.length - 1];
  return t1 > t0 ? ((s1 - s0) * 1000) / (t1 - t0) : 0;
}

function sample(steps) {
  const now = performance.now();
  samples.push([now, steps]);
  while (samples.length > 2 && now - samples[0][0] > RATE_WINDOW_MS) samples.shift();
}

// n steps (or, with n = 0, steps until SLICE_MS has passed, at least one): their losses.
function train(n) {
  const begun = performance.now();
  const loss = [];
  const accuracy = [];
  let result;
  for (let k = 0; n ? k < n : k === 0 || performance.now() - begun < SLICE_MS; k++) {
    result = trainer.step(1);
    loss.push(result.loss[0]);
    accuracy.push(result.accuracy[0]);
  }
  return {
    steps: result.steps,
    loss: Float32Array.from(loss),
    accuracy: Float32Array.from(accuracy),
    lr: result.lr,
  };
}

function fail(err) {
  running = false;
  samples = [];
  self.postMessage({ type: 'error', message: err.message });
}

// One turn of the running loop: the maps when they are due, else the held-out evaluation when it
// is due (the turn after the maps), else a slice of steps. The next maps are due REPORT_MS after
// these, or three times what the maps and evaluation took if longer, so reporting stays a small
// share of the time on a big model.
function loop(mine) {
  if (!running || mine !== run || !trainer) return;
  try {
    const now = performance.now();
    if (now >= mapsDue) {
      self.postMessage({ ...still(maps()), stepsPerSecond: rate() });
      evaluationDue = true;
      reportBegun = now;
      mapsDue = Infinity;
    } else if (evaluationDue) {
      self.postMessage({ ...still(heldOut()), stepsPerSecond: rate() });
      evaluationDue = false;
      mapsDue = performance.now() + Math.max(REPORT_MS, 3 * (performance.now() - reportBegun));
    } else {
      const done = train(0);
      sample(done.steps);
      self.postMessage({ type: 'progress', ...done, stepsPerSecond: rate(), running });
    }
  } catch (err) {
    fail(err);
    return;
  }
  yieldThen(() => loop(mine));
}

async function create(options) {
  running = false;
  samples = [];
  run += 1;
  trainer?.dispose();
  trainer = null;
  trainer = await createTrainer(options);
  self.postMessage({ type: 'created', options: trainer.options, info: trainer.info(), ...snapshot() });
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
        run += 1;
        samples = [];
        mapsDue = performance.now() + REPORT_MS;
        evaluationDue = false;
        loop(run);
      }
    } else if (data.type === 'pause') {
      if (running) {
        running = false;
        samples = [];
        self.postMessage({ ...still({}), stepsPerSecond: 0 }); // paused: the page says so at once
        self.postMessage({ ...still(snapshot()), stepsPerSecond: 0 });
      }
    } else if (data.type === 'step') {
      const done = train(data.n ?? 1);
      self.postMessage({ type: 'progress', ...done, ...snapshot(), stepsPerSecond: 0, running });
    } else if (data.type === 'export') {
      const bytes = trainer.exportGguf();
      self.postMessage({ type: 'exported', bytes, name: `${trainer.options.task}.gguf` }, [bytes.buffer]);
    }
  } catch (err) {
    fail(err);
  }
};
