// The widget's stylesheet, adopted by each shadow root as a constructed CSSStyleSheet (allowed
// under a strict CSP, where a <style> element would be blocked). Host pages theme the widget by
// setting these custom properties on the element:
//   --ap-bg, --ap-fg, --ap-muted, --ap-accent, --ap-border, --ap-control-bg, --ap-font,
//   --ap-mono, --ap-radius, --ap-padding
export const CSS = `
:host {
  --ap-bg: #ffffff; --ap-fg: #1f2430; --ap-muted: #5b6472; --ap-accent: #4338ca;
  --ap-border: #d9dde5; --ap-control-bg: #f5f6f8; --ap-error: #b42318;
  --ap-font: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic", sans-serif;
  --ap-mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  --ap-radius: 8px; --ap-padding: 12px;
  display: block; box-sizing: border-box; min-width: 0; max-width: 100%;
  color: var(--ap-fg); background: var(--ap-bg); font: 14px/1.4 var(--ap-font);
  border: 1px solid var(--ap-border); border-radius: var(--ap-radius); padding: var(--ap-padding);
  contain: content;
}
:host([hidden]) { display: none; }
:host([theme="dark"]) {
  --ap-bg: #14171d; --ap-fg: #e6e9ef; --ap-muted: #9aa3b2; --ap-accent: #a5b4fc;
  --ap-border: #2d333d; --ap-control-bg: #1d2129; --ap-error: #fda29b;
}
@media (prefers-color-scheme: dark) {
  :host([theme="auto"]), :host(:not([theme])) {
    --ap-bg: #14171d; --ap-fg: #e6e9ef; --ap-muted: #9aa3b2; --ap-accent: #a5b4fc;
    --ap-border: #2d333d; --ap-control-bg: #1d2129; --ap-error: #fda29b;
  }
}
* { box-sizing: border-box; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 14px; margin-bottom: 10px; align-items: end; }
.controls:empty { display: none; }
.field { display: flex; flex-direction: column; gap: 3px; min-width: 0; font-size: 12.5px; color: var(--ap-muted); }
.field.sentence { flex: 1 1 100%; }
.field.check { flex-direction: row; align-items: center; gap: 6px; color: var(--ap-fg); }
input, select, button { font: inherit; color: var(--ap-fg); }
input[type="text"], input[type="number"], select {
  background: var(--ap-control-bg); border: 1px solid var(--ap-border); border-radius: 6px;
  padding: 4px 6px; min-width: 0; font-size: 13px;
}
input[type="text"] { width: 100%; }
input[type="number"] { width: 5.5em; }
input[type="range"] { width: 120px; max-width: 100%; accent-color: var(--ap-accent); }
input[type="checkbox"] { accent-color: var(--ap-accent); }
button {
  background: var(--ap-control-bg); border: 1px solid var(--ap-border); border-radius: 6px;
  padding: 3px 9px; font-size: 12.5px; cursor: pointer;
}
button:hover:not(:disabled) { border-color: var(--ap-accent); }
:disabled { opacity: 0.6; cursor: not-allowed; }
:focus-visible { outline: 2px solid var(--ap-accent); outline-offset: 1px; }
.value { font-family: var(--ap-mono); color: var(--ap-fg); }
.caption { margin: 0 0 6px; font-size: 12.5px; color: var(--ap-muted); overflow-wrap: anywhere; }
.readout { min-height: 1.4em; margin: 6px 0 0; font: 12.5px var(--ap-mono); color: var(--ap-fg); overflow-wrap: anywhere; unicode-bidi: plaintext; }
.error { color: var(--ap-error); margin: 6px 0; overflow-wrap: anywhere; unicode-bidi: plaintext; }
.error:empty { display: none; }
.status { color: var(--ap-muted); font-size: 12.5px; }
.status:empty { display: none; }
.exports { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; align-items: center; }
.exports[hidden] { display: none; }
.plot { overflow-x: auto; overflow-y: hidden; }
.hm { margin: 0; }
.hm-stage { position: relative; }
.hm-data { position: absolute; image-rendering: pixelated; image-rendering: crisp-edges; }
.hm-data.is-shrunk { image-rendering: auto; }
.hm-overlay { position: absolute; left: 0; top: 0; }
.hm-legend { display: flex; align-items: center; gap: 8px; margin-top: 8px; font: 11.5px var(--ap-mono); color: var(--ap-muted); flex-wrap: wrap; }
.hm-legend-bar { width: 120px; height: 10px; border-radius: 2px; border: 1px solid var(--ap-border); }
.hm-legend-masked { display: inline-flex; align-items: center; gap: 5px; font-family: var(--ap-font); }
.hm-legend-masked[hidden] { display: none; }
.hm-swatch { width: 12px; height: 12px; border: 1px solid var(--ap-border);
  background-image: repeating-linear-gradient(135deg, rgba(120,120,120,0.55) 0 1px, transparent 1px 4px); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
