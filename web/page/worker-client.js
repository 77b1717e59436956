// The page's side of the worker: at most one request in flight, newest request wins.
//
// While a slider is dragged, input events arrive faster than passes complete. request()
// replaces any request still waiting to be sent, so the worker only ever computes the
// current state and the one in flight; stale requests are dropped, never queued.

export class ComputeClient {
  // handlers: { onReady(buildInfo), onLoadError(message), onResult(trace, ms, id),
  //             onError(message, id), onBusy(busy) }
  constructor(workerUrl, handlers) {
    this.handlers = handlers;
    this.nextId = 1;
    this.inFlight = null; // id of the request the worker is computing
    this.waiting = null; // { id, params } not sent yet
    this.staleBelow = 0; // results of requests with smaller ids are ignored
    this.ready = false;
    this.worker = new Worker(workerUrl, { type: 'module' });
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.handlers.onLoadError?.(e.message || 'worker failed to start');
    };
  }

  get idle() {
    return this.inFlight === null && this.waiting === null;
  }

  // Returns the request's id.
  request(params) {
    const id = this.nextId++;
    this.waiting = { id, params };
    this.pump();
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
      this.worker.postMessage({ type: 'compute', id, params });
    }
    this.handlers.onBusy?.(!this.idle);
  }

  receive(msg) {
    switch (msg?.type) {
      case 'ready':
        this.ready = true;
        this.handlers.onReady?.(msg.buildInfo);
        this.pump();
        break;
      case 'loadError':
        this.handlers.onLoadError?.(msg.message);
        break;
      case 'result':
      case 'error': {
        if (msg.id === this.inFlight) this.inFlight = null;
        // Draw a result even when a newer request waits: it is the freshest picture there is.
        if (msg.id >= this.staleBelow) {
          if (msg.type === 'result') this.handlers.onResult?.(msg.trace, msg.ms, msg.id);
          else this.handlers.onError?.(msg.message, msg.id);
        }
        this.pump();
        break;
      }
      default:
        break;
    }
  }
}
