// Message catalogue: every string the page shows comes from here. English is below; other
// languages are modules under locales/ (locales/zh.js: Simplified Chinese), fetched only when
// chosen (loadLocale), so the default download carries English alone.
//
// t(key, params) looks a message up and fills {name} placeholders from params.
// A key missing from the chosen catalogue falls back to English; a key missing from English
// returns the key itself so a gap is visible, never a blank.
//
// Formulas (keys ending in .f, app.formula.*, neuron.*.f, neuron.weight, and the parts of step
// titles between $…$) are written in math.js's notation and typeset as MathML: translate only
// the words in "quotes"; the rest is notation.

import { formatNumber } from '../../draw/format.js';

const en = {
  'app.title': 'Attention Playground',
  'app.tagline': 'Every step of multi-head self-attention, computed by a C++ core in WebAssembly.',
  // The header's formula before the first pass; then views/describe.js's headFormula() of the pass.
  'app.formula.head': '"per head" h :   P_h = softmax ( \\frac{Q_h K_h^T}{√d_head} ) ,   out_h = P_h V_h',
  'app.formula.perHead': '"per head" h :',
  'app.formula.output': 'Y = concat ( out_0 , out_1 , … ) W_O',
  'app.untrained':
    'The weights here are random and untrained: the patterns show how the computation flows, not what a trained model has learned.',

  'controls.heading': 'Inputs',
  'controls.examples': 'Examples',
  'controls.examplesPick': 'Try an example…',
  'controls.sentence': 'Sentence',
  'controls.sentenceHint':
    'Up to {max} tokens. Words, punctuation, numbers, CJK characters and emoji each become tokens.',
  'controls.heads': 'Heads h',
  'controls.dModel': 'd_model',
  'controls.temperature': 'Temperature T',
  'controls.causal': 'Causal mask (a token sees only itself and earlier tokens)',
  'controls.causalCross':
    'Off under cross-attention: the causal mask orders the tokens of one sentence, and here the keys come from another.',
  'controls.positional': 'Positional encoding',
  'controls.seed': 'Seed',
  'controls.reseed': 'New seed',
  'controls.dHead': 'd_head = d_model / h = {value}',
  'controls.dHeadInvalid': 'd_head = d_model / h = {dModel} / {heads} is not a whole number',
  'controls.dHeadNoHeads': 'd_head = d_model / h needs h, a whole number of heads from 1 to {max}',
  'controls.dHeadNoModel': 'd_head = d_model / h needs d_model, a whole number from 1 to {max}',
  'controls.headsHint': 'The slider stops only at head counts that divide d_model = {dModel}: {list}.',
  'controls.headsHintRope':
    'The slider stops only at head counts that divide d_model = {dModel} into an even d_head (RoPE rotates pairs): {list}.',
  'controls.copyLink': 'Copy link',
  'controls.linkCopied': 'Link copied',
  'controls.linkNotCopied': 'The browser refused the clipboard: copy the link from the address bar.',
  'controls.linkNotCopiedEmbed':
    'The browser refused the clipboard: open this in Attention Playground ↗ and copy the link from there.',
  'controls.embed': 'Embed',
  'lang.label': 'Language',

  'embed.title': 'Embed this view',
  'embed.intro': 'Paste one of these into a web page. Both show the current settings.',
  'embed.iframe': 'iframe (the whole playground, compact)',
  'embed.iframeHint': 'Works on any page that allows iframes; the settings travel in the link.',
  'embed.element': 'Custom element (just the heatmap)',
  'embed.elementHint': 'Needs attention-playground.js from this site; lighter, and styled by the host page.',
  'embed.copy': 'Copy',
  'embed.copied': 'Copied',
  'embed.copiedAnnounce': '{what} copied to the clipboard',
  'embed.selected': 'Selected: press Ctrl+C (⌘C) to copy',
  'embed.close': 'Close',
  'embed.open': 'Open in Attention Playground ↗',
  'controls.export': 'Export',
  'export.title': 'Export a matrix',
  'export.intro':
    'Download a matrix of the result shown: a picture with its labels and colour legend (PNG, SVG), or its numbers (CSV, JSON).',
  'export.matrix': 'Matrix',
  'export.weights': 'Weights of head {h} (softmax)',
  'export.scores': 'Scores of head {h}',
  'export.q': 'Q of head {h}',
  'export.k': 'K of head {h}',
  'export.v': 'V of head {h}',
  'export.headOut': 'Output of head {h}',
  'export.output': 'Output of the layer',
  'export.done': '{file} downloaded',
  'positional.none': 'None',
  'positional.sinusoidal': 'Sinusoidal (added to X)',
  'positional.rope': 'RoPE (rotates q and k)',
  'positional.alibi': 'ALiBi (bias on scores)',

  'status.loading': 'Loading the WebAssembly core…',
  'status.computing': 'Computing…',
  'status.done': 'Computed in {ms} ms',
  'status.stale': 'Showing the last valid result.',

  'error.emptySentence': 'Type a sentence: there are no tokens to attend over.',
  'error.tooManyTokens': 'The sentence has {n} tokens; this page draws at most {max}. Shorten it.',
  'error.heads': 'Heads must be a whole number from 1 to {max}.',
  'error.dModel': 'd_model must be a whole number from 1 to {max}.',
  'error.notDivisible':
    'd_model {dModel} is not divisible by {heads} heads: each head needs d_model / h columns. Try d_model {suggest}, or {alt} heads.',
  'error.ropeOdd':
    'RoPE rotates pairs of numbers, so d_head must be even; d_model {dModel} / {heads} heads gives d_head {dHead}.',
  'error.temperature': 'Temperature must be a positive number.',
  'error.temperatureRange':
    'Temperature must be between {min} and {max}; {value} is outside (scores would no longer be finite numbers).',
  'error.sentenceTooLong': 'The sentence has {n} characters; this page takes at most {max}. Shorten it.',
  'error.kvTooLong': 'The second sentence has {n} characters; this page takes at most {max}. Shorten it.',
  'error.tokenTooLong': 'Token {index} has {n} characters; a token may have at most {max}. Put spaces between words.',
  'error.seed': 'Seed must be a whole number from 0 to {max}.',
  'error.core': 'The core rejected these settings: {message}',
  'error.load':
    'Could not load the WebAssembly core ({message}). Build it first: scripts/serve builds and serves the page.',
  'error.draw': 'Drawing failed ({message}). This is a bug in the page; please report it.',

  'step.tokens': 'Tokens',
  'step.tokens.desc':
    'The sentence split into tokens. Each token gets a fixed random embedding vector, seeded by its text and the seed.',
  'step.x': 'Input X',
  'step.x.desc': 'One row per token: its embedding{pos}. Blue is negative, red positive.',
  'step.x.pos.sinusoidal': ' plus the sinusoidal position signal',
  'step.qkv': 'Projections',
  'step.qkv.desc': 'Each is split by columns into {heads} heads of n × d_head = {n} × {dHead}.{rope}',
  'step.qkv.desc.cross':
    'Q has a row per token of the sentence (n_q = {n}), K and V a row per token of the second sentence (n_k = {nKv}); each is split by columns into {heads} heads of d_head = {dHead} columns.{rope}',
  'step.qkv.rope': ' Shown after RoPE has rotated q and k by position.',
  'step.heads': 'Attention per head',
  'step.heads.desc': 'Softmax weights of every head. Click a head to focus it below.',
  'step.focus': 'Head {h}',
  'step.focus.desc':
    'Head {h} works on its own slice of Q, K and V: columns {from} … {to}. Its scores compare every query with every key; softmax turns each row into weights; the weights mix the value rows.',
  'step.scores': 'Scores',
  'step.scores.desc': 'Row i holds how strongly query token i matches each key token j. Hatched cells are masked (−∞).',
  'step.weights': 'Weights',
  'step.weights.desc':
    'Softmax along each row: every row sums to 1. Masked cells are exactly 0. Colours run from 0 to the largest weight in any head.',
  'step.headOut': 'Head output $out_h = P_h V_h$',
  'step.headOut.desc': 'Each token’s new vector: the weighted average of the value rows.',
  'step.concat': 'Concatenate heads $C = [ out_0 | out_1 | … ]$',
  'step.concat.desc': 'The {heads} head outputs side by side.',
  'step.output': 'Output $Y = C W_O$',
  'step.output.desc': 'The layer output: one vector of d_model numbers per token.',

  'shape.matrix': '{rows} × {cols}',
  'shape.named': '{name} = {rows} × {cols}',
  'shape.heads': '{heads} × ({rows} × {cols})',
  'shape.focus': 'Q_{h}, K_{h}, V_{h} = {rows} × {cols}',
  'shape.tokens': 'n = {n}',
  'axis.head': 'h{h}',
  'map.label': '{name}, {dims}: hover or use the arrow keys to read values',
  'legend.masked': 'masked',
  'heatmap.cell': 'row {row}, column {col}: {value}',
  'heatmap.cellPlain': 'row {row}, column {col}: {value}',
  'figure.label': '{name}, {rows} × {cols}; arrow keys move between cells',

  'head.label': 'head {h}',
  'head.focusHint': 'Show head {h} in detail',

  'tip.cell': '{matrix}[{i}, {j}] = {value}',
  'tip.row': 'row {i}: “{token}”',
  'tip.colHead': 'column {j} (head {h}, dim {d})',
  'tip.query': 'query {i} “{token}”',
  'tip.key': 'key {j} “{token}”',
  'tip.dot': 'q_{i}·k_{j} = {dot}  (sum of {dHead} products)',
  'tip.scale': '÷ (√{dHead} · T={temp}) = {scaled}',
  'tip.temp': '÷ T={temp} (√d_head off) = {scaled}',
  'tip.alibi': '+ ALiBi −{slope}·{dist} = {bias}',
  'tip.score': 'score = {score}',
  'tip.masked': 'masked: this key is hidden from this query',
  'tip.maskedWeight': 'weight exactly 0 (masked)',
  'tip.rowMax': 'row max m = {max}',
  'tip.rowSum': 'Σ exp(score − m) = {sum}',
  'tip.weight': 'weight = exp({score} − m) / Σ = {weight}',
  'tip.emptyRow': 'every key is masked in this row: weights are 0',
  'tip.headOut': 'Σ_j weights[{i}, j] · v_j[{d}] over {n} keys = {sum}',
  'tip.headOutTop': 'largest term: key {j} “{token}”: {w} · {v} = {term}',
  'tip.rowTotal': 'Σ_j weights[{i}, j] = {total}',
  'tip.entropy': 'row entropy {h} nats (uniform over {open} keys: {max})',
  'tip.concat': 'from head {h}, column {d} of its output',
  'tip.output': 'concat row {i} · column {j} of W_O',
  'tip.qkv': '{name} = x_{i} · column {j} of W_{name}',
  'tip.weightIn': 'multiplies column {r} of {input} (dimension {r} of every token)',
  'tip.weightOut': 'and adds into column {c} of {output} (head {h}, dim {d})',
  'tip.weightOutY': 'and adds into column {c} of the output',
  'tip.maskOpen': 'M = 0: this query may attend to this key; adding 0 leaves its score (click to hide it)',
  'tip.maskHidden': 'M = −∞: hidden; the score plus −∞ is −∞ and the weight 0',
  'tip.rope': 'then rotated in pairs by RoPE for position {i}',
  'tip.x': 'embedding of “{token}”, dimension {j}',
  'tip.xPos': 'embedding of “{token}” + sinusoid, dimension {j}',

  'controls.cross': 'Cross-attention: K and V from a second sentence',
  'controls.kv': 'Second sentence (keys and values)',
  'controls.kvHint':
    'As in a translation model: the first sentence asks (queries), this one answers (keys, values). Maps become n_q × n_k.',
  'error.emptyKv': 'Type a second sentence for the keys and values, or turn cross-attention off.',
  'error.tooManyKv': 'The second sentence has {n} tokens; this page draws at most {max}. Shorten it.',
  'controls.scale': 'Divide scores by √d_head',
  'controls.independent': 'Each head its own colour scale',
  // Narrow screens: the settings after the sentence fold behind one button, which sums them up.
  'controls.more': 'More settings',
  'controls.moreSummary': 'h = {heads} · d_model = {dModel} · T = {temperature}',
  'controls.moreCausal': 'causal',
  'controls.moreCross': 'cross-attention',
  'mode.label': 'View',
  'mode.walk': 'Step by step',
  'mode.all': 'All steps at once',

  'wt.back': '← Back',
  'wt.next': 'Next →',
  'wt.progress': 'Walkthrough steps',
  'wt.counter': 'Step {k} of {total}',
  'wt.keys':
    'Tip: the ← and → keys move between steps. Hover any cell to see where it came from; click a score or weight to open its pair below.',
  'wt.invite.title': 'New to attention?',
  'wt.invite.text':
    'Take the guided walkthrough: {steps} short steps from your sentence to the output, one idea at a time, each with its formula and the shape of every matrix.',
  'wt.invite.start': 'Start the walkthrough →',
  'wt.invite.dismiss': 'Not now',
  'wt.tokens': 'Tokens',
  'wt.try': 'Try it here:',
  'wt.tokens.desc': 'The sentence is split into n = {n} tokens. Each gets an index: its position in the sequence.',
  'wt.tokens.f': 't_0 , t_1 , … , t_{n−1}',
  'wt.embed': 'Embeddings',
  'wt.embed.desc':
    'Each token is looked up as a vector of d_model = {dModel} numbers (random here, seeded by the token’s text). Stacked, one row per token, they form E: n × d_model.',
  'wt.embed.f': 'E_i = embed ( t_i ) ,   i = 0 … n − 1',
  'wt.pos': 'Add the position',
  'wt.pos.desc': 'Attention itself ignores order, so position is added somewhere. Positional encoding here: {pos}.',
  'wt.pos.added':
    'The sinusoidal position signal PE is added to E, so X = E + PE. The three maps share one colour scale: each cell of X is the cell of E plus the cell of PE at the same place.',
  'wt.pos.notAdded': 'With “{pos}” nothing is added here, so X = E (both drawn on one colour scale).',
  'wt.pos.rope':
    'RoPE instead rotates q and k (step 4): each pair of a head’s dimensions turns by an angle that grows with the position, drawn below.',
  'wt.pos.alibi':
    'ALiBi instead adds a bias $B_h$ to the scores (step 6): the further key j is from query i, the lower its score.',
  'wt.pos.cross': 'The second sentence’s positions count from 0 too.',
  'wt.qkv': 'Queries, keys and values',
  'wt.qkv.desc':
    'Three learned matrices, each d_model × d_model = {dModel} × {dModel}, turn every row of X into a query, a key and a value. The {heads} heads each take d_head = {dHead} columns.',
  'wt.qkv.desc.cross':
    'Three learned matrices, each d_model × d_model = {dModel} × {dModel}: W_Q turns every row of X (the sentence, n_q = {n} tokens) into a query, W_K and W_V turn every row of X_kv (the second sentence, n_k = {nKv} tokens) into a key and a value. The {heads} heads each take d_head = {dHead} columns.',
  'wt.qkv.rope':
    'RoPE then rotates each pair of a head’s dimensions of q_i and k_j by the angle of its position (step 3): Q_{h} and K_{h} before and after, below.',
  'wt.name.qUnrot': 'Q_{h} before RoPE',
  'wt.name.kUnrot': 'K_{h} before RoPE',
  'wt.name.qRot': 'Q_{h} after RoPE',
  'wt.name.kRot': 'K_{h} after RoPE',
  'wt.weights.note': 'Random, untrained (seeded).',
  'wt.scores': 'Scores of head {h}',
  'wt.scores.desc':
    'Head {h} uses columns {from} … {to} of Q and K. Score (i, j) is the dot product of query i with key j: how well they match. Shape {shape} = {rows} × {cols}.',
  'wt.scores.f': 'S_{h} = Q_{h} K_{h}^T ,   S_{h} [ i , j ] = q_i · k_j = ∑_d q_{i,d} k_{j,d}',
  'wt.shape.scores': 'Q_{h}: {n} × {dHead}, K_{h}: {nKv} × {dHead} → S: {n} × {nKv}',
  'wt.shape.map': '{symbols} = {rows} × {cols}',
  'wt.scale': 'Scale',
  'wt.scale.desc':
    'q_i · k_j adds up d_head = {dHead} products. For vectors like these, its spread (standard deviation) grows like √d_head: the bigger the head, the bigger the scores, and softmax of big scores puts nearly all the weight on one key. Dividing by √d_head keeps the spread the same at any head size. T is the temperature from the controls (here T = {temp}): above 1 it softens every row, below 1 it sharpens them.',
  'wt.scale.none': 'In this pass nothing divides the scores: the √d_head switch is off and T = 1.',
  'wt.scale.sameRange': 'Both maps share one colour scale.',
  'wt.scale.alibi':
    'ALiBi adds its bias here: $B_{h} [ i , j ] = − m_{h} · | i − j |$ with $m_{h}$ = {slope} for head {h}, so the further a key is from its query, the lower its score.',
  'wt.name.bias': 'B_{h} = −m_{h} · |i − j|',
  'wt.scale.compare': 'What the division does: softmax of the same rows, with and without √d_head.',
  'wt.scale.rowMax': 'Mean largest weight of a row: {with} with √d_head, {without} without (1 would be one-hot).',
  'wt.scale.spread':
    'The spread of q · k as more dimensions are summed, from this input’s Q and K (every head, every pair i, j):',
  'plot.spread.y': 'std of q·k',
  'plot.spread.x': 'dimensions summed d',
  'plot.spread.sqrt': 'c·√d (c = {c})',
  'plot.spread.scaled': 'std of q·k / √d',
  'plot.spread.aria': 'Standard deviation of q·k against d: {points}',
  'wt.mask': 'Mask',
  'wt.mask.desc':
    'A mask decides which keys each query may see. It is added to the scores: M[i, j] = 0 where query i may attend to key j, −∞ where the key is hidden, so softmax gives hidden keys weight exactly 0.',
  'wt.mask.f': 'M [ i , j ] = \\cases{0 & "if query i may attend to key j" ; −∞ & "otherwise"}',
  'wt.mask.none':
    'This pass hides no key (bidirectional, no padding, nothing painted): M is all 0 and changes nothing. Below, what the causal mask would do to these scores; switch it on with “Causal” above.',
  'wt.mask.cross':
    'Under cross-attention the causal mask is off: it orders the tokens of one sentence, and the keys here come from another. Padding and painted cells still apply.',
  'wt.name.causalMask': 'causal M (preview)',
  'wt.name.causalScores': 'scores + causal M (preview)',
  'wt.softmax': 'Softmax',
  'wt.softmax.desc':
    'Softmax turns each row of scores into a row of weights P_h: all positive, summing to 1 over the keys the row may see, and the larger a score, the larger its share. H is each row’s entropy: high when attention is spread out, 0 when it picks one key.',
  'wt.softmax.f': 'P_{h} [ i , j ] = \\frac{exp ( s_{i j} )}{∑_k exp ( s_{i k} )}   ∑_j P_{h} [ i , j ] = 1',
  'wt.softmax.arrow': 'softmax, row by row',
  'wt.softmax.rows': 'Every row of P sums to 1 (a row whose keys are all hidden is all 0).',
  'wt.softmax.qk': 'Where the scores came from: hover a weight to outline its q_i and k_j.',
  'wt.sum': 'Weighted sum of values',
  'wt.sum.desc': 'Each token’s new vector is an average of the value rows, weighted by its row of P.',
  'wt.sum.f': 'out_{h} = P_{h} V_{h} ,   out_{h} [ i ] = ∑_j P_{h} [ i , j ] v_j',
  'wt.shape.sum': '({n} × {nKv}) · ({nKv} × {dHead}) = {n} × {dHead}',
  'wt.concat': 'Concatenate the heads',
  'wt.concat.desc': 'The {heads} head outputs, each n × d_head, are placed side by side: n × d_model again.',
  'wt.concat.f': 'C = [ out_0 | out_1 | … ]',
  'wt.wo': 'Output projection',
  'wt.wo.desc': 'A last d_model × d_model matrix W_O mixes the heads’ results together.',
  'wt.wo.f': 'Y = C W_O',
  'wt.output': 'Output',
  'wt.output.desc':
    'One new vector per token, the same shape as X: n × d_model = {n} × {dModel}. Each now carries information from the tokens it attended to.',
  'wt.output.end':
    'That is one attention layer, end to end. Change the sentence, turn on the causal mask or add heads, and walk through it again; or see every step at once.',
  'wt.output.next':
    'What follows in a real transformer block: Y is added back to X (the residual stream), then a small MLP works on each token on its own, after a layer norm; the result is the next layer’s X. Models such as GPT-2 and Llama also normalise X before attention (pre-norm), and stack a dozen to a hundred such layers.',
  'wt.output.next.f': 'H = X + Y   X_next = H + MLP ( LayerNorm ( H ) )',
  'wt.name.E': 'E (embeddings)',
  'wt.name.PE': 'PE (positions)',
  'wt.name.PEkv': 'PE_kv (positions of the second sentence)',
  'wt.name.angles': 'θ: the angle pair i turns by at each position (radians)',
  'wt.name.C': 'C (concat)',
  'wt.name.Y': 'Y (output)',
  'wt.name.X': 'X (input)',
  'wt.name.Ekv': 'E of the second sentence',
  'wt.name.Xkv': 'X_kv (second sentence: keys and values)',
  'wt.name.raw': 'S_{h} = Q_{h}·K_{h}ᵀ',
  'wt.name.mask': 'M (white 0: may attend · hatched −∞: hidden)',
  'wt.name.entropy': 'H',
  'wt.entropy.note': 'H: row entropy in nats, dark 0 (one key) to bright {max} (uniform over {n} keys).',

  'ov.edits':
    'Hand edits ({count}): {list}. Each is marked by a triangle in its corner of X, and above each column of Q, K and V it feeds; reset them in the walkthrough (steps 2 and 4).',
  'edit.hintE': 'Click a cell of E to edit that number (type, or drag the slider); every later step recomputes.',
  'edit.hintW': 'Click a cell of W_Q, W_K or W_V to edit it (type, or drag the slider); every later step recomputes.',
  'edit.labelE': 'E[{i}, {j}] (“{token}”, dimension {j})',
  'edit.labelW': '{name}[{i}, {j}]',
  'edit.resetCell': 'Reset this number',
  'edit.resetAll': 'Reset all edits ({count})',
  'hv.title': 'Head view',
  'hv.desc':
    'A line from each query (left) to each key (right), more opaque for a larger weight. Click a head to focus it; hover a query on the left to see only its lines, or a key on the right to see only the lines into it.',
  'hv.label': 'Heads shown',
  'hv.allNote':
    'All heads: one line per query–key pair, in the colour of the head that weighs it most (each head measured against its own largest weight).',
  'hv.all': 'All heads',
  'hv.aria': 'Lines from each token to the tokens it attends to, {heads} heads',
  'tip.entropyCell': 'entropy −Σ_j w·ln w of this row of weights, in nats; uniform over {n} keys gives {max}',

  'mask.kind': 'Mask kind',
  'mask.bidirectional': 'Bidirectional',
  'mask.causal': 'Causal',
  'mask.clear': 'Clear padding and painted cells',
  'mask.padHint': 'Padding: click a token to mark it as padding (no query may attend to it).',
  'mask.paintHint':
    'Click a cell, or drag across several, to hide or show those keys for those queries (keyboard: arrows, then Enter).',
  'mask.emptyRows':
    'Every key is hidden from row {rows}: there is nothing to attend to, so its weights are all 0 (not NaN) and its output is 0.',
  'mask.emptyRowsMany':
    'Every key is hidden from rows {rows}: they have nothing to attend to, so their weights are all 0 (not NaN) and their outputs are 0.',

  'neuron.title': 'Head {h}: query {i} “{query}” → key {j} “{key}”',
  'neuron.hint': 'Why does query i attend to key j? Click any score or weight to pick another pair.',
  'neuron.dim': 'dim',
  'neuron.product': 'product',
  'neuron.sum': 'Sum of the {dHead} products',
  'neuron.sum.f': 'q_{i} · k_{j} = ∑_{d=0}^{{last}} q_{{i},d} k_{{j},d} = {sum}',
  'neuron.scale': 'Scale by √d_head · T',
  'neuron.scale.f': '\\frac{q_{i} · k_{j}}{√{dHead} · T} = \\frac{{sum}}{{root} · {temp}} = {scaled}',
  'neuron.noScale': 'Nothing divides it: the √d_head switch is off and T = 1.',
  'neuron.temp': 'Divide by T (the √d_head switch is off)',
  'neuron.temp.f': '\\frac{q_{i} · k_{j}}{T} = \\frac{{sum}}{{temp}} = {scaled}',
  'neuron.alibi': 'Add the ALiBi distance bias',
  'neuron.alibi.f': '−m_{h} · |{i} − {j}| = −{slope} · {dist} = {bias}',
  'neuron.score': 'Score from the core: {score}',
  'neuron.masked': 'Masked: key {j} is hidden from query {i}, score −∞',
  'neuron.more':
    'This sum is S_h[i, j], the score before anything else. The next steps divide it{bias} (step 6), mask it (step 7) and turn its row into weights (step 8).',
  'neuron.more.bias': ' and add ALiBi’s bias',
  'neuron.moreScaled': 'Next, the mask may hide this key (step 7), and softmax turns the row into weights (step 8).',
  'neuron.softmax': 'Softmax over row {i}: every key’s score and resulting weight',
  'neuron.weight':
    'P_{{i},{j}} = \\frac{exp ( s_{{i},{j}} − m )}{∑_k exp ( s_{{i},k} − m )} = \\frac{{num}}{{den}} = {weight}',
  'neuron.max':
    'm = {max} is the row’s largest score: subtracting it changes no weight, it only keeps exp from overflowing.',
  'neuron.emptyRow': 'Every key is hidden from query {i}: its weights are all 0.',

  'footer.build': 'Core {version} · {buildType} build · SIMD {simd}',
  'footer.simdOn': 'on ({kind})',
  'footer.simdOff': 'off',
  'footer.loading': 'Core loading…',
  'footer.conventions': 'Row-major matrices; projections are x·W; head h takes columns h·d_head … (h+1)·d_head−1.',
  // Model mode (page/model/)
  'mode.model': 'Model',
  'mode.train': 'Train',
  'model.heading': 'A trained model',
  'model.private':
    'Or open your own model file from this computer: it is read here, by this page, and never leaves the machine (nothing is uploaded).',
  'model.drop': 'Drop a model file here, or',
  'model.pick': 'Choose a file…',
  'model.formats':
    'GGUF (llama, qwen2, gpt2; F32, F16, BF16, Q8_0, Q4_0) or a llama2.c checkpoint (.bin; pick its tokenizer.bin with it to get text).',
  'model.reading': 'Reading {name} ({size})…',
  'model.loaded': '{name} is open.',
  'model.loadFailed': 'This file cannot be opened: {message}',
  'model.runFailed': 'The model could not run on this input: {message}',
  'model.workerFailed': 'The model worker failed to start. {message}',
  'model.intro':
    'Real, learned attention: small transformers this project trained (scripts/train) on an English-like language and on toy tasks. The random-weights mechanics are under Step by step.',
  'model.builtins': 'Built-in models',
  'model.builtin.language': 'Language',
  'model.builtin.copy': 'Copy',
  'model.builtin.reverse': 'Reverse',
  'model.builtin.sort': 'Sort',
  'model.builtin.induction': 'Induction',
  'model.builtin.brackets': 'Brackets',
  'model.builtinTitle.language':
    'A small English-like language (lower case, a few hundred words) whose next words need attention: agreement across a distractor, pronouns, repeated names.',
  'model.builtinTitle.copy': 'Copy: symbols, SEP, then the same symbols again.',
  'model.builtinTitle.reverse': 'Reverse: symbols, SEP, then the symbols backwards.',
  'model.builtinTitle.sort': 'Sort: symbols, SEP, then the symbols in ascending order.',
  'model.builtinTitle.induction': 'Induction: a random sequence, then the same sequence again.',
  'model.builtinTitle.brackets': 'Brackets: after each ?, the bracket that closes the innermost open one.',
  'model.fetching': 'Fetching the built-in model {name}…',
  'model.fetchFailed': 'The built-in model {name} could not be fetched: {message}',
  'model.card.trained': 'Trained by scripts/train',
  'model.card.trainedPending': 'reading its training log…',
  'model.card.trainedFailed': 'its training log could not be read: {message}',
  'model.card.trainedValue':
    'task {task}, seed {seed}, {steps} steps; held-out accuracy {accuracy} % and loss {loss} on {n} sequences',
  'model.card.attentionOnly': '; attention-only (trained without an MLP: the file’s MLP weights are zeros)',
  'model.oovTitle': '“{word}” is outside the vocabulary: split into {n} tokens ({pieces})',
  'model.oovCount':
    '{count} word(s) outside the vocabulary, marked on their tokens: {words}. The model reads them as the pieces shown.',
  'model.oovNone': 'Every word of the text is one token of the vocabulary.',
  'model.probe':
    'Loss on the probe set ({sentences} fixed sentences of the built-in language, {n} predictions): {loss}. Switch a head off to see what breaks.',
  'model.probeAblated':
    'Loss on the probe set ({sentences} fixed sentences, {n} predictions) without the heads switched off: {loss}, against {intact} intact ({change}).',
  'model.card.name': 'Name',
  'model.card.arch': 'Architecture',
  'model.card.shape': 'Shape',
  'model.card.shapeValue':
    '{layers} layers, {heads} heads ({kvHeads} K/V heads), d_model {dModel}, d_head {headDim}, MLP {ffn}',
  'model.card.vocab': 'Vocabulary',
  'model.card.context': 'Context (tokens)',
  'model.card.parameters': 'Parameters',
  'model.card.types': 'Tensor types',
  'model.card.memory': 'Memory',
  'model.text': 'Text',
  'model.textHint':
    "Tokenized by the model's own tokenizer: ▁ and Ġ mark a space, <0x..> is a byte token. Click a token to see the predictions after it.",
  'model.idsHint': 'Token ids separated by spaces ({note}).',
  'model.run': 'Run',
  'model.generate': 'Generate 8 tokens',
  'model.temperature': 'Temperature (0 = greedy)',
  'model.tokens': 'Tokens as the model sees them',
  'model.predictions': 'Next-token predictions',
  'model.predictionsAt':
    "After position {pos} ({token}): the model's ten most likely next tokens and their probabilities.",
  'model.grid': 'Attention weights, every layer and head',
  'model.layer': 'layer {l}',
  'model.head': 'head {h}',
  'model.cell': 'Layer {l}, head {h} (reads K/V head {g}): choose it',
  'model.largeTitle': 'Layer {l}, head {h}',
  'model.hover': 'Hover a cell to read its weight.',
  'model.hoverValue': 'Query {i} ({q}) → key {j} ({k}): weight {w}',
  'model.ran': 'Ran {n} tokens through every layer.',
  'model.truncated': 'Only the first {n} tokens are shown.',
  'model.generating': 'Generating…',
  'model.gridHint':
    "Each map is one head's softmax weights: row = query token, column = key token, brighter = more weight; hatched cells are later tokens the causal mask hides. Click a map to choose that layer and head.",
  'model.gridHintGqa':
    "Each map is one head's softmax weights: row = query token, column = key token, brighter = more weight; hatched cells are later tokens the causal mask hides. Grouped-query attention: {heads} query heads share {kvHeads} K/V heads, {group} heads per K/V head (the tinted groups). Click a map to choose that layer and head.",
  'model.kvHead': 'K/V head {g}',
  'model.headsPending': "Naming the heads: scoring each one on repeated random tokens of this model's vocabulary…",
  'model.headsLegend':
    "Named heads: a head's score for a pattern P is Σ(A ⊙ P) / ΣA over the query rows P marks (A its attention), averaged over {count} probes, each [BOS] then {half} random tokens of this model's own vocabulary, repeated once. A head is named when its score is at least {threshold}. Patterns: previous-token (key i − 1), duplicate-token (an earlier copy of the query's token), induction (the token after that copy), first-token (key 0).",
  'model.headsFailed': 'The heads could not be named: {message}',
  'model.headsLanguage':
    "On {sentences} annotated sentences of the built-in language: agreement (the query that predicts a verb, on its subject's key) and antecedent (the query that predicts a pronoun, on the noun it refers to).",
  'model.headsNone': 'No head passes the threshold on these probes.',
  'model.badge': '{kind} {score}',
  'model.scoresTitle': 'Layer {l}, head {h} scores: {scores}',
  'model.ablate': 'on',
  'model.ablateOff': 'off',
  'model.ablateLabel': 'Layer {l}, head {h}: switch it off (its output is zeroed before W_O)',
  'model.ablated':
    "Switched off (each one's output zeroed before W_O): {list}. The predictions, the loss and the maps after them are computed without them.",
  'model.ablatedNone':
    'Every head is on. Switch one off with the button under its map to see what the model does without it.',
  'model.loss': "Loss on the text's {tokens} tokens: {loss} (mean −log p of each next token, over {n} predictions).",
  'model.lossNone': 'Loss on this text: needs at least two tokens.',
  'model.stop': 'Stop',
  'model.stopped': 'Stopped after {n} generated tokens.',
  'model.newest':
    'New token {token} at position {p}: what it attends to in layer {l}, head {h} (its query row, computed from the KV cache as it was produced).',
  'model.hvHint':
    'Lines from each query token (left) to the key tokens it attends to (right) in this layer; the chips choose the head.',
  'model.captionMha': 'Head {h} reads its own K/V head ({heads} query heads, {heads} K/V heads).',
  'model.captionGqa':
    'Head {h} reads K/V head {g}, shared with heads {from}–{to} (grouped-query attention: {heads} query heads, {kvHeads} K/V heads).',
  'model.shape':
    'P_{h}: n × n = {n} × {n} (query × key), from q·k over d_head = {dHead} (query head {h}, K/V head {g})',
  'model.hoverMasked': 'hidden by the causal mask (0)',
  'model.hoverHead': 'query head {h}, K/V head {g}',
  'model.walkOpen': 'Walk through this head, step by step',
  'model.walkTitle': 'Walkthrough: layer {l}, head {h}, with this model’s numbers',
  'model.wt.counter': 'Step {k} of {total} · layer {l}, head {h}',
  'model.wt.cell': 'row {row}, column {col}: {value}',
  'model.wt.x': 'The layer’s input X',
  'model.wt.x.desc':
    'Layer {l} reads the residual stream x (one row per token) normalised: X has n = {n} rows of d_model = {dModel} numbers. Every head of the layer reads this same X.',
  'model.wt.x.pos': '{arch}: no positional table is added to X here; positions enter as the next step says.',
  'model.wt.qkv': 'Query, key and value of head {h}',
  'model.wt.qkv.desc':
    'The file’s weights turn each row of X into head {h}’s query (d_head = {dHead} numbers) and into the key and value of K/V head {g}, which head {h} reads.',
  'model.wt.rope.norm':
    'RoPE (NORM style, as llama): q and k are rotated in interleaved pairs (2i, 2i+1), i < n_rot/2, by the angle pos · {base}^(−2i/n_rot), with n_rot = {nRot} of the d_head = {dHead} dimensions; v is not rotated. The maps show q and k after the rotation.',
  'model.wt.rope.neox':
    'RoPE (NEOX style, as qwen2): q and k are rotated in pairs of halves (i, i + n_rot/2) by the angle pos · {base}^(−2i/n_rot), with n_rot = {nRot} of the d_head = {dHead} dimensions; v is not rotated. The maps show q and k after the rotation.',
  'model.wt.rope.none':
    '{arch} has no RoPE: its learned position embeddings were added to the token embeddings before layer 0.',
  'model.wt.bias': 'The file has biases for q, k and v: they are added after the products.',
  'model.wt.gqa':
    'Grouped-query attention: head {h} reads K/V head {g}, which heads {from}–{to} share; here $K_{g}$ and $V_{g}$ are that K/V head’s.',
  'model.wt.mha': 'Head {h} has its own K/V head (as many K/V heads as query heads).',
  'model.wt.scores': 'Scores of head {h}',
  'model.wt.scores.desc':
    'Each query row of head {h} is dotted with every key row of K/V head {g}: S is n × n = {n} × {n}, a sum of d_head = {dHead} products per cell.',
  'model.wt.scale': 'Scaling by √d_head',
  'model.wt.scale.desc':
    'This model divides every score by √d_head = √{dHead}, as every architecture it runs does (no temperature: T is not part of the model).',
  'model.wt.mask': 'The causal mask',
  'model.wt.mask.desc':
    'A decoder never lets a token see later ones: M adds −∞ to every key after the query (n(n − 1)/2 cells of the {n} × {n} map), so their weights are exactly 0.',
  'model.wt.softmax': 'Softmax: the weights P',
  'model.wt.softmax.desc':
    'Softmax over each row turns head {h}’s masked scores into weights that sum to 1; the entropy beside them says how spread each row is.',
  'model.wt.sum': 'Weighted sum of V',
  'model.wt.sum.desc':
    'Each token’s output of head {h} is its row of P times V of K/V head {g}: n × d_head = {n} × {dHead}. The layer then joins every head’s output and multiplies by the file’s W_O.',
  'model.wt.shape.x': 'X: n × d_model = {n} × {dModel}',
  'model.wt.shape.qkv': 'Q_{h}, K_{g}, V_{g}: n × d_head = {n} × {dHead} each',
  'model.wt.shape.map': 'n × n = {n} × {n}, from d_head = {dHead}',
  'model.wt.shape.sum': 'P_{h} (n × n) · V_{g} (n × d_head) → out_{h}: {n} × {dHead}',
  'model.wt.name.x': 'X (normalised input)',
  'model.wt.name.q': 'Q_{h}',
  'model.wt.name.k': 'K_{g}',
  'model.wt.name.v': 'V_{g}',
  'model.wt.name.raw': 'S_{h} = Q_{h}·K_{g}ᵀ',
  'model.expects':
    'This link shows a view of the model file {name} ({size}). Choose that file: it is read here and stays on this machine, and the view comes back.',
  'model.expectOther':
    '{name} is open, but the link was made with {expected} ({size}): only its text is restored, not its layer, head, position or step.',
  'model.generated': '{n} tokens generated.',
  'train.task': 'Task',
  'train.layers': 'Layers',
  'train.heads': 'Heads',
  'train.dModel': 'd_model',
  'train.mlp': 'MLP',
  'train.positions': 'Positions',
  'train.learningRate': 'Learning rate',
  'train.seed': 'Seed',
  'train.start': 'Start',
  'train.pause': 'Pause',
  'train.step': 'Step',
  'train.reset': 'Reset',
  'train.download': 'Download GGUF',
  'train.creating': 'Creating the model…',
  'train.status': 'Step {steps} · held-out loss {loss} · held-out accuracy {accuracy} % ({counted} tokens{when}){rate}',
  'train.evaluatedAt': ', at step {at}',
  'train.rate': ' · {rate} steps/s',
  'train.keyLoss': '— loss (left scale)',
  'train.keyAccuracy': '— batch accuracy (right, 0 … 1)',
  'train.curveSteps': '{steps} steps',
  'train.mapsHeading': 'Attention on the probe example (queries down, keys across)',
  'train.mapCaption': 'layer {l} · head {h}',
  'train.mapLabel': 'attention of layer {l}, head {h}',
  'train.headsLegend':
    "Named heads, scored again each time the maps redraw: a head's score for a pattern P is Σ(A ⊙ P) / ΣA over the query rows P marks (A its attention), averaged over {count} probes, each {half} random tokens of the task's vocabulary and then the same again, {length} tokens in all (the task's context). A head is named when its score is at least {threshold}. Patterns: previous-token (key i − 1), duplicate-token (an earlier copy of the query's token), induction (the token after that copy), first-token (key 0).",
  'train.headsMirror':
    "And mirror, on the probe example above: each answer query i's weight on key n − 1 − i, the symbol it must write next.",
  'train.headsNone': 'No head passes the threshold yet.',
  'train.headsFailed': 'The heads could not be scored: {message}',
};

// Example sentences offered in the controls (localised with the rest of the page).
en['examples'] = [
  "The animal didn't cross the street because it was too tired",
  "The trophy didn't fit in the suitcase because it was too big.",
  'I saw 3 cats, 2 dogs & 1 parrot on 12 May 2024!',
  'The bank of the river is not the bank that holds my money.',
  '我喜欢学习机器学习。',
  'Attention is all you need 🤖✨',
];

// The languages offered, by code, each named in itself. A catalogue module under locales/
// default-exports an object with the same keys as `en` (a missing key falls back to English).
export const LOCALES = Object.freeze({ en: 'English', zh: '中文' });
const loaders = { zh: () => import('./zh.js') };
const catalogues = { en };
let current = en;
export let LOCALE = 'en';

// A language tag ('zh-CN', 'zh-Hans-TW', 'en-GB', …) → the code of a language offered here,
// or 'en' when none matches.
export function matchLocale(tag) {
  const primary = String(tag ?? '')
    .trim()
    .toLowerCase()
    .split(/[-_]/)[0];
  return Object.hasOwn(LOCALES, primary) ? primary : 'en';
}

// Fetches the catalogue for `tag` if it is not loaded yet and makes it current; resolves to the
// code chosen. A catalogue that cannot load leaves English current (and rejects).
export async function loadLocale(tag) {
  const code = matchLocale(tag);
  if (!catalogues[code]) catalogues[code] = (await loaders[code]()).default;
  setLocale(code);
  return code;
}

// Makes an already loaded catalogue current (an unknown or unloaded one means English).
export function setLocale(locale) {
  current = catalogues[locale] ?? en;
  LOCALE = catalogues[locale] ? locale : 'en';
}

// The English catalogue, for checks that every language has every key.
export const ENGLISH = en;

// A list-valued entry (e.g. 'examples'), or [] if there is none.
export function list(key) {
  const value = current[key] ?? en[key];
  return Array.isArray(value) ? value : [];
}

export function t(key, params = {}) {
  const template = current[key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

// Number formatting shared by labels and tooltips (format.js, so the widget can use it alone).
export { formatNumber };
