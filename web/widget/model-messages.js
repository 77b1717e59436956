// The model widget's strings (widget/model-widget.js adds them to messages.js when a widget names a
// model, so a random-weights widget does not download them).
export const MODEL_MESSAGES = {
  en: {
    'model.downloading': 'Downloading the model {file}: {read}…',
    'model.downloadingOf': 'Downloading the model {file}: {read} of {total}…',
    'model.opening': 'Opening the model {file}…',
    'model.caption': '{view}, {model}: layer {layer} of {layers}, head {head} of {heads}{kv} · {rows} × {cols}',
    'model.kvHead': ' (K/V head {kvHead} of {kvHeads})',
    'model.claim.weights': 'softmax over the keys of q·kᵀ / √{d}, causal',
    'model.claim.scores': 'q·kᵀ / √{d}, causal: the keys after each query are masked',
    'model.claim.rope': 'after RoPE',
    'error.modelUrl': 'model="{value}" is not a URL.',
    'error.modelNotFound': 'The model file {file} was not found (HTTP 404): check the model attribute.',
    'error.modelHttp': 'The model file {file} could not be downloaded (HTTP {status}).',
    'error.modelNetwork': 'The model file {file} could not be downloaded ({message}).',
    'error.modelTooLarge': 'The model file {file} is {size}; the widget opens at most {max}.',
    'error.modelMalformed': 'The model file {file} cannot be opened: {message}',
    'error.modelNoTokenizer': 'This model file has no tokenizer ({note}), so the sentence cannot be tokenized.',
    'error.modelTooMany': 'The sentence is {n} tokens for this model; the widget draws at most {max}.',
    'error.modelView': 'view="{value}" is not drawn for a model: use one of {list}.',
    'error.modelName':
      'model="{value}" is not a built-in model: name one of {list}, or give a model file’s URL (such as models/my.gguf).',
    'model.trained.language':
      'trained on the built-in English-like language (verbs agree with subjects across a phrase, pronouns, repeated names)',
    'model.trained.copy': 'trained to copy: symbols, SEP, then the same symbols',
    'model.trained.reverse': 'trained to reverse: symbols, SEP, then the symbols backwards',
    'model.trained.sort': 'trained to sort: symbols, SEP, then the symbols in order',
    'model.trained.induction': 'trained on induction: a random run of distinct symbols, then the same run again',
    'model.trained.brackets':
      'trained on bracket matching: after each “?”, the bracket that closes the innermost open one',
  },
  zh: {
    'model.downloading': '正在下载模型 {file}：{read}…',
    'model.downloadingOf': '正在下载模型 {file}：{read} / {total}…',
    'model.opening': '正在打开模型 {file}…',
    'model.caption':
      '{view}，{model}：第 {layer} 层（共 {layers} 层），第 {head} 头（共 {heads} 头）{kv} · {rows} × {cols}',
    'model.kvHead': '（K/V 头 {kvHead}，共 {kvHeads} 个）',
    'model.claim.weights': '对键做 softmax：q·kᵀ / √{d}，因果',
    'model.claim.scores': 'q·kᵀ / √{d}，因果：每个查询之后的键被掩码',
    'model.claim.rope': 'RoPE 之后',
    'error.modelUrl': 'model="{value}" 不是网址。',
    'error.modelNotFound': '找不到模型文件 {file}（HTTP 404）：请检查 model 属性。',
    'error.modelHttp': '无法下载模型文件 {file}（HTTP {status}）。',
    'error.modelNetwork': '无法下载模型文件 {file}（{message}）。',
    'error.modelTooLarge': '模型文件 {file} 大小为 {size}；组件最多打开 {max}。',
    'error.modelMalformed': '无法打开模型文件 {file}：{message}',
    'error.modelNoTokenizer': '该模型文件没有分词器（{note}），无法对句子分词。',
    'error.modelTooMany': '对此模型，句子有 {n} 个词元；组件最多显示 {max} 个。',
    'error.modelView': 'view="{value}" 不能用于模型：请用 {list} 之一。',
    'error.modelName': 'model="{value}" 不是内置模型：请用 {list} 之一，或给出模型文件的网址（如 models/my.gguf）。',
    'model.trained.language': '训练于内置的类英语语言（跨短语的主谓一致、代词、重复的名字）',
    'model.trained.copy': '训练任务：复制——符号、SEP，然后是同样的符号',
    'model.trained.reverse': '训练任务：反转——符号、SEP，然后是倒序的符号',
    'model.trained.sort': '训练任务：排序——符号、SEP，然后是排好序的符号',
    'model.trained.induction': '训练任务：归纳——一串随机的不同符号，然后同一串再来一次',
    'model.trained.brackets': '训练任务：括号匹配——每个“?”之后，是闭合最内层未闭括号的那个括号',
  },
};

// The download bar (part progress) and the token strip (part tokens), adopted beside style.js's sheet.
export const MODEL_CSS = `
.progress { display: block; width: 100%; height: 8px; margin: 4px 0 8px; accent-color: var(--ap-accent); }
.progress[hidden], .tokens[hidden] { display: none; }
.tokens { display: flex; flex-wrap: wrap; gap: 4px; margin: 0 0 8px; font: 12px var(--ap-mono); }
.token { padding: 1px 5px; border: 1px solid var(--ap-border); border-radius: 4px; background: var(--ap-control-bg); white-space: pre; }
`;
