// Where the hand edits show (the state's edits, { m: 'e'|'q'|'k'|'v', row, col, value }): the
// cells and columns of each matrix (views/figures.js names) that a heatmap marks as edited.
//   embeddings, x: the edited cells of E (X = E + PE, so X's cell at the same place);
//   wq, wk, wv: their own edited cells;
//   q, k, v: column c of Q (K, V) for an edit of W_Q (W_K, W_V) at (r, c), which every row of
//   that column multiplies (q_i,c = Σ_r x_i,r · W_Q(r, c)). Under cross-attention K and V come
//   from the second sentence, whose embeddings are never edited, but W_K and W_V still are.
// Other matrices mix every column and get no marks. No DOM.

const OWN = { embeddings: 'e', x: 'e', wq: 'q', wk: 'k', wv: 'v' };
const COLUMN = { q: 'q', k: 'k', v: 'v' };

export function editMarks(name, edits = []) {
  if (OWN[name]) return edits.filter((e) => e.m === OWN[name]).map(({ row, col }) => ({ row, col }));
  if (COLUMN[name]) {
    const cols = [...new Set(edits.filter((e) => e.m === COLUMN[name]).map((e) => e.col))].sort((a, b) => a - b);
    return cols.map((col) => ({ col }));
  }
  return [];
}

// The edits as the reader would name them: E[3, 5], W_Q[2, 7], …
export function editNames(edits = []) {
  return edits.map(({ m, row, col }) => `${m === 'e' ? 'E' : `W_${m.toUpperCase()}`}[${row}, ${col}]`);
}
