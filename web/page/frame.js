// At most one call of `draw` per animation frame, however often request() is called: a drag's
// results and redraws wait for the next frame, and only the newest is drawn there.
// requestAnimationFrame does not run in a hidden page or in a throttled cross-origin frame out of
// view, so a timer draws after FALLBACK_MS when no frame came by then.

const FALLBACK_MS = 1000;

export class FrameScheduler {
  constructor(draw) {
    this.draw = draw;
    this.frame = 0;
    this.timer = 0;
    this.byTimer = 0; // draws the fallback timer made, for the tests
  }

  get pending() {
    return this.frame !== 0 || this.timer !== 0;
  }

  request() {
    if (this.pending) return;
    const fire = (byTimer) => {
      cancelAnimationFrame(this.frame);
      clearTimeout(this.timer);
      this.frame = 0;
      this.timer = 0;
      if (byTimer) this.byTimer++;
      this.draw();
    };
    this.frame = requestAnimationFrame(() => fire(false));
    this.timer = setTimeout(() => fire(true), FALLBACK_MS);
  }
}
