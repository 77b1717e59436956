// Typeset formulas (MathML) cannot wrap: on a narrow screen one wider than its box would scroll
// sideways inside it. fitFormulas() shrinks the <math> elements of each such box until they fit,
// down to a smallest readable size (below that the box still scrolls, the last resort).

const MIN_PX = 10.5;

const overBy = (box) => box.scrollWidth / Math.max(1, box.clientWidth);

// Scales every <math> in box by 1 / over (with a little room), never under MIN_PX.
function shrink(box, over) {
  for (const m of box.querySelectorAll('math')) {
    const size = parseFloat(getComputedStyle(m).fontSize);
    m.style.fontSize = `${Math.max(MIN_PX, Math.floor((size / over) * 0.97 * 10) / 10)}px`;
  }
}

// boxes: elements holding <math>; each keeps its stylesheet's sizes when they fit. All boxes are
// read, then written, then read again (two layouts, not two per box).
export function fitFormulas(boxes) {
  const list = [...boxes].filter((b) => b.isConnected && b.getClientRects().length);
  for (const b of list) for (const m of b.querySelectorAll('math')) m.style.fontSize = '';
  const needs = list.map((b) => [b, overBy(b)]).filter(([, over]) => over > 1.001);
  for (const [b, over] of needs) shrink(b, over);
  // Padding and spacing do not scale with the font: one more step where the first fell short.
  for (const [b] of needs) {
    const over = overBy(b);
    if (over > 1.001) shrink(b, over);
  }
}
