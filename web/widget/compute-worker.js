// The widget's worker: one for every <attention-playground> of a page (widget/core.js makes it
// from this module's URL), so no widget computes on its host's main thread. It loads the same
// core and seeded inputs as the main-thread path and runs widget/compute.js computeTrace(), so the
// numbers are the same bits whichever path runs.
//
// Protocol (structured-clone messages):
//   page → worker  { type: 'init', options }              loadAttention() options (baseUrl, simd)
//   worker → page  { type: 'ready', buildInfo }            once the core has loaded
//   worker → page  { type: 'loadError', message }          the core could not be loaded
//   page → worker  { type: 'compute', owner, id, params }  owner: a widget's number on the page
//   worker → page  { type: 'result', owner, id, trace, calls }   trace: views/trace.js plainTrace()
//   worker → page  { type: 'error', owner, id, message, calls }  the core rejected params
// calls: how many passes this worker has run, for the tests.
//
// Newest request wins per widget: a request replaces its widget's request still waiting, and the
// worker computes one pass per task, so requests that arrive meanwhile replace each other.

import { loadAttention } from '../lib/attention.js';
import { transferables } from '../views/trace.js';
import { computeTrace } from './compute.js';

let core = null;
const waiting = new Map(); // owner → the newest request not yet computed, oldest owner first
let scheduled = false;
let calls = 0;

function run({ owner, id, params }) {
  calls++;
  try {
    const trace = computeTrace(core, params);
    // The weights are the seeded cache's own arrays and the widget draws none of them: they stay
    // here, and everything else is transferred without a copy.
    Object.assign(trace, { wq: null, wk: null, wv: null, wo: null });
    self.postMessage({ type: 'result', owner, id, trace, calls }, transferables(trace));
  } catch (err) {
    self.postMessage({ type: 'error', owner, id, message: String(err?.message ?? err), calls });
  }
}

function drain() {
  scheduled = false;
  if (!core || waiting.size === 0) return;
  const [owner, request] = waiting.entries().next().value;
  waiting.delete(owner);
  run(request);
  schedule();
}

function schedule() {
  if (scheduled || !core || waiting.size === 0) return;
  scheduled = true;
  setTimeout(drain, 0);
}

self.onmessage = (event) => {
  const msg = event.data;
  if (msg?.type === 'init') {
    loadAttention(msg.options ?? {}).then(
      (loaded) => {
        core = loaded;
        self.postMessage({ type: 'ready', buildInfo: { ...loaded.buildInfo } });
        schedule();
      },
      (err) => self.postMessage({ type: 'loadError', message: String(err?.message ?? err) }),
    );
  } else if (msg?.type === 'compute') {
    waiting.delete(msg.owner); // its newer request goes to the back of the line
    waiting.set(msg.owner, msg);
    schedule();
  }
};
