// The page's side of the worker: at most one request in flight, newest request wins, and a
// running pass that a newer request supersedes is ended once it runs past a deadline.
//
// While a slider is dragged, input events arrive faster than passes complete. request()
// replaces any request still waiting to be sent, so the worker only ever computes the
// current state and the one in flight; stale requests are dropped, never queued.
// A pass is one call into the core and cannot be interrupted from inside, so when a newer request
// waits and the pass in flight has run for deadlineMs, the client terminates that worker and starts
// another one from the compiled module the first one handed back (no fetch, no compile: the
// restart costs an instantiation), which computes the newest request. The ended pass's result
// never arrives; its id is listed in `cancelled`.

export const DEFAULT_DEADLINE_MS = 400;

export class ComputeClient {
  // handlers: { onReady(buildInfo), onLoadError(message), onResult(trace, ms, id),
  //             onError(message, id), onBusy(busy) }
  // deadlineMs: how long a superseded pass may run before its worker is replaced.
  constructor(workerUrl, handlers, { deadlineMs = DEFAULT_DEADLINE_MS } = {}) {
    this.workerUrl = workerUrl;
    this.handlers = handlers;
    this.deadlineMs = deadlineMs;
    this.nextId = 1;
    this.inFlight = null; // id of the request the worker is computing
    this.inFlightSince = 0; // performance.now() when it was sent
    this.waiting = null; // { id, params } not sent yet
    this.staleBelow = 0; // results of requests with smaller ids are ignored
    this.ready = false;
    this.buildInfo = null;
    this.wasmModule = undefined; // the compiled core, handed back by the first worker
    this.deadlineTimer = 0;
    // For the tests (the page's test hook): workers replaced, the ids of the passes they were
    // running, and the answering worker's count of passes (its own included).
    this.restarts = 0;
    this.cancelled = [];
    this.passes = 0;
    this.startWorker();
  }

  startWorker() {
    this.ready = false;
    const worker = new Worker(this.workerUrl, { type: 'module' });
    this.worker = worker;
    // A replaced worker's messages are ignored (terminate() may leave some in the queue).
    worker.onmessage = (e) => {
      if (worker === this.worker) this.receive(e.data);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      if (worker === this.worker) this.handlers.onLoadError?.(e.message || 'worker failed to start');
    };
    worker.postMessage({ type: 'init', wasmModule: this.wasmModule });
  }

  get idle() {
    return this.inFlight === null && this.waiting === null;
  }

  // Returns the request's id.
  request(params) {
    const id = this.nextId++;
    this.waiting = { id, params };
    this.pump();
    this.watchDeadline();
    return id;
  }

  // Forget every earlier request (e.g. the inputs became invalid): nothing waiting is sent,
  // and the result of the one in flight is dropped when it arrives.
  cancel() {
    this.waiting = null;
    this.staleBelow = this.nextId;
    this.handlers.onBusy?.(!this.idle);
  }

  pump() {
    if (this.ready && this.inFlight === null && this.waiting) {
      const { id, params } = this.waiting;
      this.waiting = null;
      this.inFlight = id;
      this.inFlightSince = performance.now();
      this.worker.postMessage({ type: 'compute', id, params });
    }
    this.handlers.onBusy?.(!this.idle);
  }

  // While a request waits behind a pass in flight: at the pass's deadline, if both are still
  // there, replace the worker.
  watchDeadline() {
    if (this.deadlineTimer || this.inFlight === null || !this.waiting) return;
    const delay = Math.max(0, this.inFlightSince + this.deadlineMs - performance.now());
    this.deadlineTimer = setTimeout(() => {
      this.deadlineTimer = 0;
      if (this.inFlight !== null && this.waiting && this.wasmModule) this.restart();
    }, delay);
  }

  restart() {
    this.worker.terminate();
    this.cancelled.push(this.inFlight);
    this.inFlight = null;
    this.restarts++;
    this.startWorker(); // its 'ready' sends the waiting request
  }

  receive(msg) {
    switch (msg?.type) {
      case 'ready': {
        this.ready = true;
        this.wasmModule ??= msg.wasmModule;
        const first = this.buildInfo === null;
        this.buildInfo = msg.buildInfo;
        if (first) this.handlers.onReady?.(msg.buildInfo);
        this.pump();
        break;
      }
      case 'loadError':
        this.handlers.onLoadError?.(msg.message);
        break;
      case 'result':
      case 'error': {
        if (msg.id === this.inFlight) this.inFlight = null;
        this.passes = msg.passes;
        clearTimeout(this.deadlineTimer);
        this.deadlineTimer = 0;
        // Draw a result even when a newer request waits: it is the freshest picture there is.
        if (msg.id >= this.staleBelow) {
          if (msg.type === 'result') this.handlers.onResult?.(msg.trace, msg.ms, msg.id);
          else this.handlers.onError?.(msg.message, msg.id);
        }
        this.pump();
        this.watchDeadline();
        break;
      }
      default:
        break;
    }
  }
}
