#!/usr/bin/env python3
"""PyTorch half of `npm run eval:text`: the same character model, data, batching and schedule as
recur's `runText`, so the two validation losses can be compared.

Usage: /usr/bin/python3 tools/eval/text_torch.py CONFIG.json IDS.bin  -> prints one JSON line.
IDS.bin holds the int32 token ids of the whole text (training part then validation part)."""
import json, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = json.load(open(sys.argv[1]))
ids = torch.from_numpy(np.fromfile(sys.argv[2], dtype=np.int32).astype(np.int64))
torch.manual_seed(cfg['seed'])
torch.set_num_threads(cfg.get('threads', 2))
V, H, T, B = cfg['vocab'], cfg['hidden'], cfg['seq'], cfg['batch']
n_val = cfg['n_val']
train, val = ids[: len(ids) - n_val], ids[len(ids) - n_val:]

class CharLM(nn.Module):
    def __init__(self):
        super().__init__()
        kind = cfg['cell']
        self.rnn = nn.LSTM(V, H) if kind == 'lstm' else nn.GRU(V, H) if kind == 'gru' else nn.RNN(V, H, nonlinearity='tanh')
        self.head = nn.Linear(H, V)
    def forward(self, x, state):
        out, state = self.rnn(F.one_hot(x, V).float(), state)
        return self.head(out), state

model = CharLM()
opt = torch.optim.Adam(model.parameters(), lr=cfg['lr'])
L = len(train) // B
streams = train[: L * B].view(B, L)
detach = lambda s: None if s is None else (tuple(t.detach() for t in s) if isinstance(s, tuple) else s.detach())

def evaluate():
    model.eval()
    S = max(1, min(16, (len(val) - 1) // T)); Lv = (len(val) - 1) // S
    vs = val[: Lv * S + 1]
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for p in range(0, Lv, T):
            t = min(T, Lv - p)
            x = torch.stack([vs[b * Lv + p: b * Lv + p + t] for b in range(S)], 1)
            y = torch.stack([vs[b * Lv + p + 1: b * Lv + p + t + 1] for b in range(S)], 1)
            logits, state = model(x, state)
            total += F.cross_entropy(logits.reshape(-1, V), y.reshape(-1), reduction='sum').item(); count += t * S
    model.train()
    return total / count

pos, state, t0, last = 0, None, time.time(), float('nan')
for step in range(cfg['steps']):
    if pos + T + 1 > L:
        pos, state = 0, None
    x = streams[:, pos: pos + T].t().contiguous()
    y = streams[:, pos + 1: pos + T + 1].t().contiguous()
    logits, state = model(x, state)
    loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
    opt.zero_grad(); loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), cfg['clip'])
    opt.step()
    state, pos, last = detach(state), pos + T, loss.item()
secs = time.time() - t0
print(json.dumps({'val_loss': evaluate(), 'train_loss': last, 'chars_per_sec': cfg['steps'] * T * B / secs, 'torch': torch.__version__}))
