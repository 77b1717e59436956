// The widget's own strings, English and Simplified Chinese. msg(lang, key, params).
const catalogue = {
  en: {
    sentence: 'Sentence', heads: 'Heads', dModel: 'd_model', temperature: 'Temperature',
    causal: 'Causal mask', positional: 'Positional', seed: 'Seed', view: 'View', head: 'Head',
    export: 'Export', loading: 'Loading…', 'view.weights': 'Weights', 'view.scores': 'Scores',
    'view.q': 'Q', 'view.k': 'K', 'view.v': 'V', 'view.output': 'Output',
    'positional.none': 'None', 'positional.sinusoidal': 'Sinusoidal', 'positional.rope': 'RoPE',
    'positional.alibi': 'ALiBi',
    caption: '{view}, head {head} of {heads} · {rows} × {cols}',
    captionAll: '{view} · {rows} × {cols}',
    cell: '{row} → {col}: {value}', cellMatrix: '{row}, column {col}: {value}',
    masked: 'masked',
    'error.empty': 'Type a sentence: there are no tokens.',
    'error.tooMany': 'The sentence has {n} tokens; the widget draws at most {max}.',
    'error.divisible': 'd_model {dModel} is not divisible by {heads} heads.',
    'error.load': 'Could not load the WebAssembly core ({message}).',
    'error.core': '{message}',
    untrained: 'Random, untrained weights.',
    kv: 'Keys and values from (cross-attention)', kvPlaceholder: 'blank: the sentence itself',
    scale: 'Divide by √d_head', 'view.head-output': 'Head output', 'view.concat': 'Heads concatenated',
    'error.tooManyKv': 'The key sentence (kv) has {n} tokens; the widget draws at most {max}.',
    'error.padding': 'padding="{value}" is not a list of token indices: write them with commas, e.g. padding="0,3".',
    'error.paddingRange': 'padding: there is no key token {index}; the {n} keys are numbered 0 … {max} ({tokens}).',
    'error.mask': 'mask="{value}": "{part}" is not a cell; write query.key pairs with commas, e.g. mask="0.1,2.0".',
    'error.maskRange': 'mask: cell {cell} is outside the {rows} × {cols} map (query.key, numbered from 0).',
  },
  zh: {
    sentence: '句子', heads: '头数', dModel: 'd_model', temperature: '温度',
    causal: '因果掩码', positional: '位置编码', seed: '种子', view: '视图', head: '头',
    export: '导出', loading: '加载中…', 'view.weights': '权重', 'view.scores': '分数',
    'view.q': 'Q', 'view.k': 'K', 'view.v': 'V', 'view.output': '输出',
    'positional.none': '无', 'positional.sinusoidal': '正弦', 'positional.rope': 'RoPE',
    'positional.alibi': 'ALiBi',
    caption: '{view}，第 {head} 头（共 {heads} 头）· {rows} × {cols}',
    captionAll: '{view} · {rows} × {cols}',
    cell: '{row} → {col}：{value}', cellMatrix: '{row}，第 {col} 列：{value}',
    masked: '已掩码',
    'error.empty': '请输入句子：没有可计算的词元。',
    'error.tooMany': '句子有 {n} 个词元；组件最多显示 {max} 个。',
    'error.divisible': 'd_model {dModel} 不能被 {heads} 个头整除。',
    'error.load': '无法加载 WebAssembly 核心（{message}）。',
    'error.core': '{message}',
    untrained: '随机、未训练的权重。',
    kv: '键和值来自（交叉注意力）', kvPlaceholder: '留空：句子本身',
    scale: '除以 √d_head', 'view.head-output': '头输出', 'view.concat': '拼接各头',
    'error.tooManyKv': '键句子（kv）有 {n} 个词元；组件最多显示 {max} 个。',
    'error.padding': 'padding="{value}" 不是词元序号列表：请用逗号分隔，例如 padding="0,3"。',
    'error.paddingRange': 'padding：没有第 {index} 个键词元；{n} 个键的序号为 0 … {max}（{tokens}）。',
    'error.mask': 'mask="{value}"：“{part}” 不是单元格；请写成逗号分隔的 查询.键，例如 mask="0.1,2.0"。',
    'error.maskRange': 'mask：单元格 {cell} 超出 {rows} × {cols} 的矩阵（查询.键，从 0 开始编号）。',
  },
};

export const LANGS = Object.keys(catalogue);

export function msg(lang, key, params = {}) {
  const text = catalogue[lang]?.[key] ?? catalogue.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}
