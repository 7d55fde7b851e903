#!/usr/bin/env python3
"""PyTorch half of `npm run eval:text`: the same character model, initial weights, data, batching
and schedule as recur's `trainText`, so the two validation losses can be compared.

Usage: /usr/bin/python3 tools/eval/text_torch.py DIR  -> prints one JSON line. DIR holds
  model.py, model.safetensors  recur's initial model as `recur export --format torch` writes it
                               (the module with recur's names, and its weights)
  train.bin                    int32 token ids of the training part
  val.bin                      int32 ids of the validation segments, one after another, as recur's
                               validation readers return them
  config.json                  seq, batch, lr, clip, steps, val_lengths (the segment lengths)"""
import json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

d = sys.argv[1]
sys.path.insert(0, d)
from model import CharLM  # noqa: E402  (the module recur generated for this model)

cfg = json.load(open(os.path.join(d, 'config.json')))
torch.set_num_threads(cfg.get('threads', 2))
ids = lambda name: torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=np.int32).astype(np.int64))
train, val = ids('train.bin'), ids('val.bin')
T, B = cfg['seq'], cfg['batch']
model = CharLM.from_file(os.path.join(d, 'model.safetensors'))
V = model.head.out_features
opt = torch.optim.Adam(model.parameters(), lr=cfg['lr'])
L = len(train) // B
streams = train[: L * B].view(B, L)  # as recur's ArrayStreams: B contiguous segments
detach = lambda s: None if s is None else (tuple(t.detach() for t in s) if isinstance(s, tuple) else s.detach())


def evaluate():
    """Nats per character over the validation segments, read in parallel in chunks of T with the
    state carried; a segment's first character is only an input, and segments that end early are
    masked, as recur's evaluateText does."""
    model.eval()
    bounds = np.cumsum([0] + cfg['val_lengths'])
    segs = [val[bounds[s]:bounds[s + 1]] for s in range(len(cfg['val_lengths']))]
    S, n = len(segs), max(len(s) for s in segs) - 1
    x, y = torch.zeros(n, S, dtype=torch.int64), torch.zeros(n, S, dtype=torch.int64)
    mask = torch.zeros(n, S)
    for b, s in enumerate(segs):
        x[: len(s) - 1, b], y[: len(s) - 1, b], mask[: len(s) - 1, b] = s[:-1], s[1:], 1
    total, state = 0.0, None
    with torch.no_grad():
        for p in range(0, n, T):
            logits, state = model(x[p:p + T], state)
            nll = F.cross_entropy(logits.reshape(-1, V), y[p:p + T].reshape(-1), reduction='none')
            total += (nll * mask[p:p + T].reshape(-1)).sum().item()
    model.train()
    return total / mask.sum().item()


before = evaluate()
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
print(json.dumps({'val_loss_before': before, 'val_loss': evaluate(), 'train_loss': last,
                  'chars_per_sec': cfg['steps'] * T * B / secs, 'torch': torch.__version__}))
