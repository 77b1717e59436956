// Where the widgets' passes run: in one module Worker shared by every widget of the page
// (widget/compute-worker.js), or, where no worker can be made, on the main thread in short tasks.
//
//   worker   the default: a worker made from this module's URL, so it loads the same core, the
//            same seeded inputs and widget/compute.js; the host's main thread only draws.
//   main     the fallback, where `new Worker` throws or the worker fails before it is ready: a
//            CSP without worker-src for the widget's origin, a page opened from file://, a widget
//            module from another origin, or the single-file build (configureCore with a factory
//            and no workerUrl). The core is loaded on the main thread then, and each widget's
//            pass is split into tasks of its own (the seeded inputs, the pass, then the drawing),
//            one widget at a time, so no task holds the thread for long at ordinary sizes.
// Both paths call computeTrace() over the same core build and seeded inputs: the same bits.
// Newest request wins per widget on both: a widget's request replaces its request still waiting,
// and the replaced one resolves as null.
//
// The path taken is the element's data-compute attribute ('worker' | 'main'); computeStats()
// counts the core's passes on each side for the tests.

import { loadAttention } from '../lib/attention.js';
import { computeTrace, warmInputs } from './compute.js';

let coreOptions = {};
let computePromise = null;
let mainCorePromise = null;

// Set before the first widget loads, e.g. by the single-file build: { factory, wasmBinary } for
// loadAttention(), and workerUrl: where compute-worker.js is (null: compute on the main thread).
// A factory or wasmBinary without a workerUrl means the main thread (a worker cannot be handed
// them).
export function configureCore(options) {
  coreOptions = options ?? {};
  computePromise = null;
  mainCorePromise = null;
}

const stats = { mainThreadCalls: 0, workerCalls: 0, path: null, fallbackReason: null };

// { mainThreadCalls, workerCalls, path, fallbackReason }: passes computed on the main thread and
// in the worker (as the worker counts them), the path in use and why the worker was not.
export function computeStats() {
  return { ...stats };
}

// The core loaded on this thread (the fallback path, and callers that want the API itself).
export function getCore() {
  if (!mainCorePromise) {
    const { workerUrl, ...options } = coreOptions;
    mainCorePromise = loadAttention(options);
    mainCorePromise.catch(() => {
      mainCorePromise = null;
    });
  }
  return mainCorePromise;
}

// A promise of the compute service: { path, run(owner, params) → Promise<{ trace } | { error } |
// null> }, null when a newer request of the same owner replaced it. Rejects when no core loads.
export function getCompute() {
  if (!computePromise) {
    computePromise = startWorker().catch((reason) => startMain(String(reason?.message ?? reason)));
    computePromise.catch(() => {
      computePromise = null;
    });
  }
  return computePromise;
}

function workerUrl() {
  if ('workerUrl' in coreOptions) return coreOptions.workerUrl;
  if (coreOptions.factory || coreOptions.wasmBinary) return null;
  return new URL('./compute-worker.js', import.meta.url);
}

// Resolves once the worker's core is ready; rejects (the caller falls back) when the worker cannot
// be made or fails before it is ready.
function startWorker() {
  return new Promise((resolve, reject) => {
    const url = workerUrl();
    if (!url) throw new Error('no worker URL (single-file build)');
    if (typeof Worker !== 'function') throw new Error('no Worker in this browser');
    const worker = new Worker(url, { type: 'module' }); // throws on file:// and other origins
    const pending = new Map(); // id → resolve of a request not yet answered
    const latest = new Map(); // owner → id of its newest request
    let nextId = 1;
    let ready = false;
    const service = {
      path: 'worker',
      run(owner, params) {
        const id = nextId++;
        const previous = latest.get(owner);
        if (previous !== undefined && pending.has(previous)) {
          pending.get(previous)(null); // replaced: the worker drops it too
          pending.delete(previous);
        }
        latest.set(owner, id);
        return new Promise((done) => {
          pending.set(id, done);
          worker.postMessage({ type: 'compute', owner, id, params });
        });
      },
    };
    worker.onmessage = ({ data: msg }) => {
      if (msg?.type === 'ready') {
        ready = true;
        stats.path = 'worker';
        resolve(service);
      } else if (msg?.type === 'loadError') {
        worker.terminate();
        reject(new Error(msg.message));
      } else if (msg?.type === 'result' || msg?.type === 'error') {
        stats.workerCalls = msg.calls;
        const done = pending.get(msg.id);
        pending.delete(msg.id);
        done?.(msg.type === 'result' ? { trace: msg.trace } : { error: msg.message });
      }
    };
    // A worker the CSP refuses, or whose module fails to load, reports here (asynchronously).
    worker.onerror = (e) => {
      e.preventDefault?.();
      if (ready) return;
      worker.terminate();
      reject(new Error(e.message || 'the worker could not start'));
    };
    const { workerUrl: _, ...options } = coreOptions;
    worker.postMessage({ type: 'init', options });
  });
}

// The fallback: the core on the main thread, one widget's work per task.
async function startMain(reason) {
  const core = await getCore();
  stats.path = 'main';
  stats.fallbackReason = reason;
  const waiting = new Map(); // owner → { params, done }, oldest owner first
  let running = false; // a job is between its first and last task
  const later = (fn) => setTimeout(fn, 0);
  const next = () => {
    if (!waiting.size) {
      running = false;
      return;
    }
    const [owner, job] = waiting.entries().next().value;
    waiting.delete(owner);
    let result = null;
    try {
      // 1. the seeded inputs (a new seed or d_model is the costly part), in this task
      warmInputs(core, job.params);
    } catch (err) {
      result = { error: String(err?.message ?? err) };
    }
    // 2. the pass, in a task of its own, unless a newer request of this widget came meanwhile
    later(() => {
      if (!result && waiting.has(owner)) {
        job.done(null);
        next();
        return;
      }
      if (!result) {
        try {
          stats.mainThreadCalls++;
          result = { trace: computeTrace(core, job.params) };
        } catch (err) {
          result = { error: String(err?.message ?? err) };
        }
      }
      // 3. the drawing, in the next task; then the next widget's job
      later(() => {
        job.done(result);
        later(next);
      });
    });
  };
  const schedule = () => {
    if (running) return;
    running = true;
    later(next);
  };
  return {
    path: 'main',
    run(owner, params) {
      return new Promise((done) => {
        waiting.get(owner)?.done(null);
        waiting.delete(owner);
        waiting.set(owner, { params, done });
        schedule();
      });
    },
  };
}
