// The test hook, window.__ap: what tests and debugging may read of the page. Nothing here changes
// the page; the app owns the state and the trace, the hook only reads them. Documented in the
// README ("Testing the page").
//
//   state, trace, renders, idle, error, buildInfo, copied   what the page shows and its status:
//                               the state, the trace drawn, how many results were drawn, whether
//                               the worker is idle, the error shown, the core's build info, the
//                               text last copied to the clipboard
//   fullRedraws, resultIds      views drawn whole (at most one per animation frame, page/frame.js)
//                               and the worker's request ids of the last 64 results drawn
//   worker                      { restarts, cancelled, passes, deadlineMs, timerDraws }: workers
//                               replaced because a superseded pass ran past the deadline, the ids
//                               of those passes, the answering worker's count of passes, the
//                               deadline (window.__apOptions.workerDeadlineMs set before load
//                               changes it), and draws the frame scheduler's fallback timer made
//   figures()                   names of the heatmaps now drawn (the overview's, or the step's;
//                               views/figures.js names the matrices)
//   figure(name)                one as plain data: { name, rows, cols, data, masked, range,
//                               colormap, caption, claim (what a score map holds:
//                               views/describe.js scoresClaim, or null), cell: [w, h] CSS px, box: { left, top, width,
//                               height } of its cells in the viewport, pixels: FNV-1a digest of
//                               its one-pixel-per-cell canvas }, or null
//   cellCenter(name, row, col)  the viewport point at the centre of a cell
//   cellColor(name, row, col)   [r, g, b] the cell is painted

// FNV-1a over the canvas's RGBA bytes, as 8 hex digits.
function pixelDigest(canvas) {
  const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let h = 0x811c9dc5;
  for (let i = 0; i < px.length; i++) h = Math.imul(h ^ px[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

export function installTestHook(app) {
  const shown = (name) => {
    const figures = app.shownFigures();
    const map = figures.get(name);
    if (!map?.model) throw new Error(`no figure named ${name} is drawn (${[...figures.keys()].join(', ')})`);
    return map;
  };
  window.__ap = {
    get state() {
      return app.state;
    },
    get trace() {
      return app.trace;
    },
    get renders() {
      return app.renders;
    },
    get idle() {
      return app.idle;
    },
    get fullRedraws() {
      return app.fullRedraws;
    },
    get resultIds() {
      return [...app.resultIds];
    },
    get worker() {
      const c = app.client;
      return {
        restarts: c.restarts,
        cancelled: [...c.cancelled],
        passes: c.passes,
        deadlineMs: c.deadlineMs,
        timerDraws: app.frame.byTimer,
      };
    },
    get error() {
      return app.error;
    },
    get buildInfo() {
      return app.buildInfo;
    },
    get copied() {
      return app.copied;
    },
    figures: () => [...app.shownFigures().keys()],
    figure(name) {
      const map = app.shownFigures().get(name);
      if (!map?.model) return null;
      map.flush(); // a map out of view is painted when it comes into view
      const { rows, cols, data, masked, range, claim } = map.model;
      const r = map.dataCanvas.getBoundingClientRect();
      return {
        name,
        rows,
        cols,
        data: Array.from(data),
        masked: masked ? Array.from(masked) : null,
        range: [...range],
        colormap: map.options.colormap,
        caption: map.dataCanvas.closest('.figure')?.querySelector('.figure-name')?.textContent ?? '',
        claim: claim ?? null,
        cell: map.layoutBox ? [map.layoutBox.cellW, map.layoutBox.cellH] : null,
        box: { left: r.left, top: r.top, width: r.width, height: r.height },
        pixels: pixelDigest(map.dataCanvas),
      };
    },
    cellCenter: (name, row, col) => shown(name).cellCenter(row, col),
    cellColor(name, row, col) {
      shown(name).flush();
      const px = shown(name).dataCanvas.getContext('2d').getImageData(col, row, 1, 1).data;
      return [px[0], px[1], px[2]];
    },
  };
}
