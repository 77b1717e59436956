// The widgets' model worker: one for every <attention-playground model="…"> of a page
// (widget/model-client.js makes it from this module's URL, only when a widget names a model). It
// downloads each model file once, keeps it open, and runs the widgets' sentences through it
// (widget/model-compute.js), so neither the download's bytes nor the forward touch the host's
// main thread.
//
// Protocol (structured-clone messages):
//   worker → page  { type: 'hello' }                            the module has loaded
//   page → worker  { type: 'open', url, options }                 options: lib/model.js's (simd, baseUrl)
//   worker → page  { type: 'progress', url, read, total, phase }  phase: 'download' | 'open'
//   worker → page  { type: 'opened', url, info }                   info: lib/model.js's model.info
//   worker → page  { type: 'openError', url, kind, details, message }
//   page → worker  { type: 'run', owner, id, url, params }          params: modelPass()'s
//   worker → page  { type: 'result', owner, id, result, calls }    result: modelPass()'s
//   worker → page  { type: 'error', owner, id, message, calls }    the runtime refused
// calls: how many passes this worker has run, for the tests.
//
// Newest request wins per widget, as in compute-worker.js: one pass per task, and a widget's
// request replaces its request still waiting.

import { modelPass, openModel, passTransferables } from './model-compute.js';

const waiting = new Map(); // owner → its newest request not yet run, oldest owner first
let scheduled = false;
let calls = 0;

async function run({ owner, id, url, params }) {
  let opened;
  try {
    opened = await openModel(url);
  } catch (err) {
    // The page has the open error already (openError); this request has nothing to draw.
    self.postMessage({ type: 'error', owner, id, message: String(err?.message ?? err), calls });
    return;
  }
  calls++;
  try {
    const result = modelPass(opened.model, opened.info, params);
    self.postMessage({ type: 'result', owner, id, result, calls }, passTransferables(result));
  } catch (err) {
    self.postMessage({ type: 'error', owner, id, message: String(err?.message ?? err), calls });
  }
}

async function drain() {
  if (waiting.size === 0) {
    scheduled = false;
    return;
  }
  const [owner, request] = waiting.entries().next().value;
  waiting.delete(owner);
  await run(request);
  setTimeout(drain, 0);
}

function schedule() {
  if (scheduled) return;
  scheduled = true;
  setTimeout(drain, 0);
}

self.onmessage = ({ data: msg }) => {
  if (msg?.type === 'open') {
    const { url } = msg;
    openModel(
      url,
      (read, total, phase) => self.postMessage({ type: 'progress', url, read, total, phase }),
      msg.options,
    ).then(
      ({ info }) => self.postMessage({ type: 'opened', url, info }),
      (err) =>
        self.postMessage({
          type: 'openError',
          url,
          kind: err?.kind ?? 'malformed',
          details: err?.details ?? {},
          message: String(err?.message ?? err),
        }),
    );
  } else if (msg?.type === 'run') {
    waiting.delete(msg.owner);
    waiting.set(msg.owner, msg);
    schedule();
  }
};

self.postMessage({ type: 'hello' });
