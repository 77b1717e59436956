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
  },
};

export const LANGS = Object.keys(catalogue);

export function msg(lang, key, params = {}) {
  const text = catalogue[lang]?.[key] ?? catalogue.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}
