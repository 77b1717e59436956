// Where the model widgets' work runs: in one module Worker shared by every model widget of the
// page (widget/model-worker.js, made from this module's URL as core.js makes compute-worker.js),
// or, where no worker can be made (a CSP without worker-src for the widget's origin, file://, a
// widget module from another origin), on the main thread, one pass per task. Either way each
// resolved model URL is downloaded once and opened once, for every widget that names it.
//
// Loaded by element.js with a dynamic import, only for a widget with a `model` attribute.

const stats = { path: null, fallbackReason: null, workerCalls: 0, mainThreadCalls: 0, opens: 0 };

// { path, fallbackReason, workerCalls, mainThreadCalls, opens }, for the tests: opens counts the
// model files asked to open (one per resolved URL).
export function modelStats() {
  return { ...stats };
}

let servicePromise = null;

// A promise of the service: { path, open(url, onProgress) → Promise<info> (rejects with
// { kind, details, message }), run(owner, url, params) → Promise<{ result } | { error } | null> },
// null when a newer request of the same owner replaced it.
export function getModelService() {
  servicePromise ??= startWorker().catch((reason) => startMain(String(reason?.message ?? reason)));
  return servicePromise;
}

// Shares one open per URL among widgets: url → { promise, listeners }.
function sharedOpens(send) {
  const opens = new Map();
  return (url, onProgress) => {
    let entry = opens.get(url);
    if (!entry) {
      entry = { listeners: new Set(), last: null };
      entry.promise = send(url, (read, total, phase) => {
        entry.last = [read, total, phase];
        for (const f of entry.listeners) f(read, total, phase);
      });
      entry.promise.catch(() => {}).finally(() => entry.listeners.clear());
      opens.set(url, entry);
      stats.opens++;
    }
    if (onProgress) {
      entry.listeners.add(onProgress);
      if (entry.last) onProgress(...entry.last); // a widget that joins late sees where it is
    }
    return entry.promise;
  };
}

function startWorker() {
  return new Promise((resolve, reject) => {
    if (typeof Worker !== 'function') throw new Error('no Worker in this browser');
    const worker = new Worker(new URL('./model-worker.js', import.meta.url), { type: 'module' });
    const pending = new Map(); // id → resolve of a run not yet answered
    const latest = new Map(); // owner → id of its newest run
    const openings = new Map(); // url → { resolve, reject, progress }
    let nextId = 1;
    let ready = false;
    const open = sharedOpens(
      (url, progress) =>
        new Promise((res, rej) => {
          openings.set(url, { resolve: res, reject: rej, progress });
          worker.postMessage({ type: 'open', url });
        }),
    );
    const service = {
      path: 'worker',
      open,
      run(owner, url, params) {
        const id = nextId++;
        const previous = latest.get(owner);
        if (previous !== undefined && pending.has(previous)) {
          pending.get(previous)(null);
          pending.delete(previous);
        }
        latest.set(owner, id);
        return new Promise((done) => {
          pending.set(id, done);
          worker.postMessage({ type: 'run', owner, id, url, params });
        });
      },
    };
    worker.onmessage = ({ data: msg }) => {
      if (msg?.type === 'hello') {
        ready = true;
        stats.path = 'worker';
        resolve(service);
      } else if (msg?.type === 'progress') {
        openings.get(msg.url)?.progress(msg.read, msg.total, msg.phase);
      } else if (msg?.type === 'opened') {
        openings.get(msg.url)?.resolve(msg.info);
        openings.delete(msg.url);
      } else if (msg?.type === 'openError') {
        openings.get(msg.url)?.reject({ kind: msg.kind, details: msg.details, message: msg.message });
        openings.delete(msg.url);
      } else if (msg?.type === 'result' || msg?.type === 'error') {
        stats.workerCalls = msg.calls;
        const done = pending.get(msg.id);
        pending.delete(msg.id);
        done?.(msg.type === 'result' ? { result: msg.result } : { error: msg.message });
      }
    };
    worker.onerror = (e) => {
      e.preventDefault?.();
      if (ready) return;
      worker.terminate();
      reject(new Error(e.message || 'the model worker could not start'));
    };
  });
}

// The fallback: the same functions on the main thread, one pass per task.
async function startMain(reason) {
  const { openModel, modelPass } = await import('./model-compute.js');
  stats.path = 'main';
  stats.fallbackReason = reason;
  const open = sharedOpens((url, progress) =>
    openModel(url, progress).then(
      ({ info }) => info,
      (err) => Promise.reject({ kind: err?.kind ?? 'malformed', details: err?.details ?? {}, message: err?.message }),
    ),
  );
  const waiting = new Map(); // owner → { url, params, done }
  let running = false;
  const next = async () => {
    if (!waiting.size) {
      running = false;
      return;
    }
    const [owner, job] = waiting.entries().next().value;
    waiting.delete(owner);
    let answer;
    try {
      const { model, info } = await openModel(job.url);
      stats.mainThreadCalls++;
      answer = { result: modelPass(model, info, job.params) };
    } catch (err) {
      answer = { error: String(err?.message ?? err) };
    }
    job.done(answer);
    setTimeout(next, 0);
  };
  return {
    path: 'main',
    open,
    run(owner, url, params) {
      return new Promise((done) => {
        waiting.get(owner)?.done(null);
        waiting.delete(owner);
        waiting.set(owner, { url, params, done });
        if (!running) {
          running = true;
          setTimeout(next, 0);
        }
      });
    },
  };
}
