import type { Net } from './kinds.js';

/**
 * The model.py written beside an exported model: a PyTorch module with recur's submodule names
 * (so `load_state_dict` takes recur's tensors unchanged), the forward of that model kind, and a
 * safetensors reader and writer in plain Python + numpy (the safetensors package is not needed).
 */
const TORCH_CELL = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' } as const;

function rnnCtor(n: Net): string {
  const r = n.rnn, args = [`${r.inputSize}`, `${r.hidden}`];
  if (r.layers > 1) args.push(`num_layers=${r.layers}`);
  if (n.batchFirst) args.push('batch_first=True');
  if (r.dropout > 0 && r.layers > 1) args.push(`dropout=${r.dropout}`);
  if (r.bidirectional) args.push('bidirectional=True');
  return `nn.${TORCH_CELL[r.cell]}(${args.join(', ')})`;
}

function initLines(n: Net): string[] {
  const L: string[] = [];
  if (n.init) L.push(`self.init = nn.Linear(${n.init.categories}, ${n.rnn.layers * n.rnn.hidden})  # h0 from the category`);
  if (n.input.ids && n.input.embed) {
    const pad = n.input.embed.paddingIdx === null ? '' : `, padding_idx=${n.input.embed.paddingIdx}`;
    L.push(`self.embed = nn.Embedding(${n.input.vocab}, ${n.input.embed.dim}${pad})`);
  } else if (n.input.ids) {
    L.push(`self.vocab = ${n.input.vocab}  # ids enter one-hot`);
  }
  if (n.drop !== null) L.push(`self.drop = nn.Dropout(${n.drop})`);
  L.push(`self.rnn = ${rnnCtor(n)}`, `self.head = nn.Linear(${n.head.inFeatures}, ${n.head.outFeatures})`);
  return L;
}

/** The final hidden states of the last layer as (B, dirs·H), from `h` (L·dirs, B, H). */
const lastState = (n: Net): string => (n.rnn.bidirectional
  ? 'h = h[-2:].transpose(0, 1).reshape(h.shape[1], -1)  # the last layer\'s forward and backward states side by side'
  : 'h = h[-1]  # the last layer');
const stateOut = (n: Net): string => (n.rnn.cell === 'lstm' ? '_, (h, _)' : '_, h');
const PACK = 'nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)';

/** The forward (and helpers) of each kind, as lines of a method body block. */
function forwardLines(n: Net): string[] {
  const oneHot = 'F.one_hot(ids, self.vocab).float()  # recur reads the matching columns of W_ih: the same numbers';
  switch (n.kind) {
    case 'char-lm': return [
      'def forward(self, ids, state=None):',
      `    """ids (T, B) int64 → logits (T, B, ${n.head.outFeatures}) and the final state ${n.rnn.cell === 'lstm' ? '(h, c), each' : 'h'} (L, B, H);`,
      '    pass that state back in to continue the text."""',
      `    x = ${n.input.ids && n.input.embed ? 'self.embed(ids)' : oneHot}`,
      '    y, state = self.rnn(x, state)',
      '    return self.head(y), state',
    ];
    case 'forecaster': return [
      'def forward(self, x):',
      `    """x (B, W, ${n.rnn.inputSize}) a window of scaled features → (B, ${n.head.outFeatures}) scaled forecasts`,
      '    (horizon × targets × quantiles, in that nesting; see the metadata\'s features and scalers)."""',
      `    ${stateOut(n)} = self.rnn(x)`,
      `    ${lastState(n)}`,
      '    return self.head(h)',
    ];
    case 'denoiser': return [
      'def forward(self, x):',
      '    """x (B, T, 1) noisy values, each window minus its mean, divided by the metadata\'s scale → (B, T, 1) clean."""',
      '    y, _ = self.rnn(x)',
      '    return self.head(y)',
    ];
    case 'classifier': return [
      'def forward(self, ids, lengths=None):',
      `    """ids (B, T) int64 word ids padded with 0, lengths (B) → logits (B, ${n.head.outFeatures})`,
      `    (${n.head.outFeatures === 1 ? 'one logit: p(class 1) = sigmoid' : 'softmax over the classes'}). Without lengths every step is real."""`,
      '    x = self.drop(self.embed(ids))',
      '    if lengths is not None:  # the state after each sequence\'s last real word, as recur masks padding',
      `        x = ${PACK}`,
      `    ${stateOut(n)} = self.rnn(x)`,
      `    ${lastState(n)}`,
      '    return self.head(self.drop(h))',
    ];
    default: { // conditional-generator
      const { layers: L, hidden: H } = n.rnn, K = n.init!.categories;
      return [
        'def initial_state(self, categories):',
        `    """categories (B) int64 → h0 (${L}, B, ${H}) = tanh(init(onehot(category)))."""`,
        n.init!.conditional ? `    onehot = F.one_hot(categories, ${K}).float()`
          : `    onehot = torch.zeros(len(categories), ${K})  # an unconditional model: one learned h0 = tanh(bias)`,
        '    h = torch.tanh(self.init(onehot))',
        `    return h.reshape(len(categories), ${L}, ${H}).transpose(0, 1).contiguous()`,
        '',
        'def forward(self, ids, categories, lengths=None):',
        `    """ids (B, T) int64 starting with <bos>, padded with 0; categories (B); lengths (B) → logits (B, T, ${n.head.outFeatures})."""`,
        '    h0 = self.initial_state(categories)',
        `    state = ${n.rnn.cell === 'lstm' ? '(h0, torch.zeros_like(h0))  # c0 = 0, as in recur' : 'h0'}`,
        `    x = ${oneHot}`,
        '    if lengths is None:',
        '        y, _ = self.rnn(x, state)',
        '    else:  # padded steps give zeros, as in recur',
        `        y, _ = self.rnn(${PACK}, state)`,
        '        y, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=True, total_length=ids.shape[1])',
        '    return self.head(y)',
      ];
    }
  }
}

const USAGE: Record<string, string> = {
  'char-lm': 'logits, state = model(ids)  # ids (T, B) int64; token i is meta["vocab"]["tokens"][i]',
  forecaster: 'y = model(x)  # x (B, W, I) scaled features; see meta["features"]',
  denoiser: 'y = model(x)  # x (B, T, 1), centred per window and divided by meta["scale"]',
  classifier: 'logits = model(ids, lengths)  # word ids (B, T) padded with 0; word i is meta["vocab"]["tokens"][i]',
  'conditional-generator': 'logits = model(ids, categories)  # ids (B, T) from <bos>; categories (B) index meta["categories"]',
};

const LOADER = `
DTYPES = {'F32': '<f4', 'F64': '<f8', 'I32': '<i4', 'I64': '<i8'}


def load_safetensors(path):
    """A safetensors file -> ({name: tensor}, {key: string metadata})."""
    with open(path, 'rb') as f:
        raw = f.read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    metadata = header.pop('__metadata__', {})
    data = raw[8 + n:]
    tensors = {}
    for name, info in header.items():
        begin, end = info['data_offsets']
        array = np.frombuffer(data[begin:end], dtype=DTYPES[info['dtype']]).reshape(info['shape'])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, metadata


def save_safetensors(path, tensors, metadata=None):
    """{name: tensor} and string metadata -> a safetensors file (float64 stays F64, other floats F32)."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = dict(metadata)
    for name, t in tensors.items():
        array = t.detach().cpu().numpy()
        dtype = 'F64' if array.dtype == np.float64 else 'F32' if array.dtype.kind == 'f' else 'I64'
        data = np.ascontiguousarray(array, dtype=DTYPES[dtype]).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(array.shape), 'data_offsets': [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))


class RecurModule(nn.Module):
    """from_file and save: the weights as safetensors, with recur's metadata carried along."""

    recur_metadata = None

    @classmethod
    def from_file(cls, path):
        tensors, metadata = load_safetensors(path)
        model = cls()
        model.load_state_dict(tensors)
        model.recur_metadata = metadata
        return model

    def save(self, path):
        save_safetensors(path, self.state_dict(), self.recur_metadata)

    @property
    def meta(self):
        """recur's metadata: vocabulary, scalers, architecture, ..."""
        return json.loads((self.recur_metadata or {}).get('recur', '{}'))
`;

/** The whole model.py for a network; `title` is a line saying what the model is. */
export function torchModule(n: Net, title: string): string {
  const indent = (lines: string[], k: number) => lines.map((l) => (l === '' ? '' : ' '.repeat(k) + l)).join('\n');
  return `"""${title}

Written by \`recur export --format torch\`: a PyTorch module with the recur model's submodule and
parameter names, shapes and gate orders, so recur's weights load unchanged.

    import torch
    from model import ${n.className}
    model = ${n.className}.from_file('model.safetensors').eval()  # weights + recur's metadata
    meta = model.meta
    with torch.no_grad():
        ${USAGE[n.kind]}

Train or fine-tune it as any nn.Module, then save the weights, with recur's metadata, and read
them back into recur:

    model.save('trained.safetensors')
    # recur import --from trained.safetensors --out trained-model.safetensors

Needs torch and numpy only: the safetensors reader and writer are below.
"""
import json
import struct

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
${LOADER}

class ${n.className}(RecurModule):
    def __init__(self):
        super().__init__()
${indent(initLines(n), 8)}

${indent(forwardLines(n), 4)}
`;
}

