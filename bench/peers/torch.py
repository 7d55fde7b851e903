"""PyTorch in one bench process: one workload, one variant, a fixed thread count.

    /usr/bin/python3 bench/peers/torch.py <case.json> '{"mode":"bench","variant":"nn","threads":2,"quick":true}'

Variants: 'nn' (the fused nn.RNN / nn.LSTM, one-hot input as a dense tensor, nn.Linear head), 'loop'
(the seed's style: explicit matrices, one time step per Python iteration, the one-hot input as a
row gather of W_ih^T, the head applied at every step). Seed cell (D): 'seed' under no_grad, and
'seed-tape' with autograd recording (state detached every step). Mode 'reference' runs the 'loop'
math in float64. The weights and data come from the case file bench/run.ts wrote (recur's
initialisation, PyTorch's names and layouts), so every implementation starts identically.

The result is one JSON line prefixed with BENCH_RESULT, like bench/common.ts's. Legend: T time,
B batch, V vocabulary, H hidden, G gates.
"""
import ctypes
import json
import os
import resource
import sys
import time
import traceback

# this file is named torch.py: keep its own folder off the path, so `import torch` finds PyTorch
sys.path = [p for p in sys.path if os.path.abspath(p or '.') != os.path.dirname(os.path.abspath(__file__))]

RESULT_TAG = 'BENCH_RESULT '
CHARS = '\n !$&\',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'


def max_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def emit(r):
    sys.stdout.write('\n' + RESULT_TAG + json.dumps(r) + '\n')
    sys.stdout.flush()


def timing_options(quick):
    if quick:
        return dict(warmup=1, rounds=2, min_round_ms=30, budget_ms=1500)
    return dict(warmup=2, rounds=7, min_round_ms=300, budget_ms=12000)


def measure(step, o):
    """Best-of-N seconds per call, as bench/common.ts measure()."""
    t0 = time.perf_counter()
    for _ in range(o['warmup']):
        step()
        if (time.perf_counter() - t0) * 1000 > o['min_round_ms']:
            break
    t0 = time.perf_counter()
    step()
    one = max(1e-6, time.perf_counter() - t0)
    reps = max(1, int(-(-o['min_round_ms'] / 1000 // one)))
    per = [one] if reps == 1 else []
    start = time.perf_counter()
    while len(per) < o['rounds']:
        t0 = time.perf_counter()
        for _ in range(reps):
            step()
        per.append((time.perf_counter() - t0) / reps)
        if len(per) >= 2 and (time.perf_counter() - start) * 1000 > o['budget_ms']:
            break
    s = sorted(per)
    return dict(best=s[0], median=s[(len(s) - 1) // 2], rounds=len(per), stepsPerRound=reps)


def blas_facts(torch):
    """Which BLAS this process really loaded (after a GEMM), its configuration and thread count."""
    a = torch.randn(256, 256)
    (a @ a).sum().item()
    libs = sorted({line.split()[-1] for line in open('/proc/self/maps') if 'blas' in line.lower() and '/' in line})
    facts = {'libraries': libs}
    for path in libs:
        if 'openblas' in path:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            facts['openblas'] = lib.openblas_get_config().decode()
            facts['core'] = lib.openblas_get_corename().decode()
            facts['blasThreads'] = lib.openblas_get_num_threads()
            break
    return facts


def load_case(path, torch):
    c = json.load(open(path))
    raw = open(c['bin'], 'rb').read()

    def tensor(name, dtype):
        t = c['tensors'][name]
        n = 1
        for d in t['shape']:
            n *= d
        want = 'f32' if dtype is torch.float32 else 'i32'
        if t['dtype'] != want:
            raise ValueError(f"case {path}: tensor '{name}' is {t['dtype']}, expected {want}")
        return torch.frombuffer(bytearray(raw[t['offset']:t['offset'] + 4 * n]), dtype=dtype).reshape(t['shape'])

    c['f32'] = lambda name: tensor(name, torch.float32)
    c['i32'] = lambda name: tensor(name, torch.int32).long()
    return c


# ---- validation (as bench/common.ts) -------------------------------------------------------------

def check_losses(ref, l0, l1):
    if 'loss0' not in ref:
        return dict(status='failed', detail='no reference losses in the case file')
    d0, d1 = abs(l0 - ref['loss0']), abs(l1 - ref['loss1'])
    ok = d0 <= ref['tol0'] and d1 <= ref['tol1']
    return dict(status='ok' if ok else 'failed',
                detail=f"loss {l0:.6f} → {l1:.6f} after one step; reference ({ref['source']}) {ref['loss0']:.6f} → {ref['loss1']:.6f}; "
                       f"|Δ| {d0:.1e}, {d1:.1e} (tolerance {ref['tol0']}, {ref['tol1']})")


def check_outputs(ref, ys):
    if 'ys' not in ref:
        return dict(status='failed', detail='no reference outputs in the case file')
    diffs = [abs(a - b) for a, b in zip(ys, ref['ys'])]
    worst = max(diffs)
    scale = max(abs(v) for v in ref['ys']) or 1
    ok = len(ys) == len(ref['ys']) and worst / scale <= ref['tolY']
    return dict(status='ok' if ok else 'failed',
                detail=f"{len(ys)} outputs over the validation steps: largest |Δ| {worst:.1e} at {diffs.index(worst)} "
                       f"({worst / scale:.1e} of the largest output; tolerance {ref['tolY']}) against {ref['source']}")


def check_greedy(ref, ids):
    if 'greedy' not in ref:
        return dict(status='failed', detail='no reference generation in the case file')
    g = ref['greedy']
    same = 0
    while same < len(g) and same < len(ids) and ids[same] == g[same]:
        same += 1
    detail = f"greedy generation: {same} of {len(g)} characters equal to {ref['source']}'s"
    if same < len(g):
        detail += f' (first difference at {same}: {ids[same]} vs {g[same]})'
    return dict(status='ok' if same == len(g) else 'failed', detail=detail)


# ---- A, B, C, L: a training step -----------------------------------------------------------------

def make_train(torch, c, variant, dtype, one_bias=False):
    import torch.nn as nn
    import torch.nn.functional as F
    w = c['workload']
    T, B, V, H = w['T'], w['B'], w['V'], w['H']
    x, y = c['i32']('x'), c['i32']('y')
    state = {k: c['f32'](k).to(dtype) for k in c['tensors'] if k.startswith('rnn.') or k.startswith('head.')}
    lstm = w['cell'] == 'lstm'

    if variant == 'nn':
        class CharModel(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = (nn.LSTM if lstm else nn.RNN)(V, H)
                self.head = nn.Linear(H, V)
        model = CharModel().to(dtype)
        model.load_state_dict(state)
        params = list(model.parameters())
        x_onehot = F.one_hot(x, V).to(dtype)  # nn.RNN takes dense input: the one-hot, made once

        def loss_fn():
            out, _ = model.rnn(x_onehot)
            return F.cross_entropy(model.head(out).reshape(T * B, V), y.reshape(T * B))
    else:
        p = {k: v.clone().requires_grad_(True) for k, v in state.items()}
        if one_bias:  # b_ih + b_hh as one trained bias, b_hh held at 0 (Keras layers have one bias)
            p['rnn.bias_ih_l0'] = (state['rnn.bias_ih_l0'] + state['rnn.bias_hh_l0']).requires_grad_(True)
            p['rnn.bias_hh_l0'] = torch.zeros_like(state['rnn.bias_hh_l0'])
        params = [v for v in p.values() if v.requires_grad]
        W_ih, W_hh, b_ih, b_hh = p['rnn.weight_ih_l0'], p['rnn.weight_hh_l0'], p['rnn.bias_ih_l0'], p['rnn.bias_hh_l0']
        W_hy, b_y = p['head.weight'], p['head.bias']

        def loss_fn():
            h = torch.zeros(B, H, dtype=dtype)
            cs = torch.zeros(B, H, dtype=dtype)
            Wx = W_ih.t()  # (V, G·H): a one-hot input selects a row
            total = 0
            for t in range(T):
                g = Wx[x[t]] + b_ih + h @ W_hh.t() + b_hh
                if lstm:
                    i, f, gg, o = g.chunk(4, 1)
                    cs = torch.sigmoid(f) * cs + torch.sigmoid(i) * torch.tanh(gg)
                    h = torch.sigmoid(o) * torch.tanh(cs)
                else:
                    h = torch.tanh(g)
                total = total + F.cross_entropy(h @ W_hy.t() + b_y, y[t], reduction='sum')
            return total / (T * B)

    opt = torch.optim.Adam(params, lr=w['lr'])

    def step():
        loss = loss_fn()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, w['clip'])
        opt.step()
        return loss.item()
    return step


# ---- D: one step of the seed's cell --------------------------------------------------------------

def bench_seed(torch, c, spec, notes):
    import torch.nn as nn
    w = c['workload']
    U, I, O = w['units'], w['input'], w['output']
    dtype = torch.float64 if spec['mode'] == 'reference' else torch.float32

    class MyRNNCell(nn.Module):  # the seed, as written in PyTorch
        def __init__(self):
            super().__init__()
            self.W_xh = nn.Parameter(c['f32']('W_xh').to(dtype))
            self.W_hh = nn.Parameter(c['f32']('W_hh').to(dtype))
            self.W_hy = nn.Parameter(c['f32']('W_hy').to(dtype))
            self.h = torch.zeros(U, 1, dtype=dtype)

        def forward(self, x):
            self.h = torch.tanh(self.W_hh @ self.h + self.W_xh @ x)
            return self.W_hy @ self.h, self.h

    cell = MyRNNCell()
    # the same cell from PyTorch's fused parts: nn.RNNCell without biases, then nn.Linear without bias
    fused = nn.RNNCell(I, U, bias=False).to(dtype)
    fused.load_state_dict({'weight_ih': cell.W_xh.detach(), 'weight_hh': cell.W_hh.detach()})
    out = nn.Linear(U, O, bias=False).to(dtype)
    out.load_state_dict({'weight': cell.W_hy.detach()})
    state = {'h': torch.zeros(1, U, dtype=dtype)}

    def fused_step(x):  # x (1, I)
        state['h'] = fused(x, state['h'])
        return out(state['h'])

    xs_val = c['f32']('xs_val').to(dtype).reshape(-1, I, 1)
    xs_time = c['f32']('xs_time').to(dtype).reshape(-1, I, 1)
    xs = [xs_time[k] for k in range(xs_time.shape[0])]
    rows = [x.reshape(1, I) for x in xs]
    nn_path = spec['variant'] == 'nn' and spec['mode'] != 'reference'
    with torch.no_grad():
        if nn_path:
            ys = [v for k in range(xs_val.shape[0]) for v in fused_step(xs_val[k].reshape(1, I)).flatten().tolist()]
        else:
            ys = [v for k in range(xs_val.shape[0]) for v in cell(xs_val[k])[0].flatten().tolist()]
    if spec['mode'] == 'reference':
        return dict(validation=dict(status='ok', detail='reference'), reference=dict(ys=ys))
    validation = check_outputs(c['ref'], ys)
    if validation['status'] != 'ok':
        return dict(validation=validation)
    k = [0]
    o = timing_options(spec['quick'])
    if nn_path:
        def step():
            with torch.no_grad():
                fused_step(rows[k[0] % len(rows)])
            k[0] += 1
        notes.append('nn.RNNCell(bias=False) + nn.Linear(bias=False) under torch.no_grad(), batch 1')
        return dict(validation=validation, **measure(step, o))

    def step():
        with torch.no_grad():
            cell(xs[k[0] % len(xs)])
        k[0] += 1

    def step_tape():
        cell(xs[k[0] % len(xs)])
        cell.h = cell.h.detach()
        k[0] += 1
    t = measure(step, o)
    tape = measure(step_tape, o)
    notes.append('the seed cell module (explicit matrices) under torch.no_grad()')
    notes.append(f"with autograd recording (state detached each step): {tape['best'] * 1e6:.2f} µs/step")
    return dict(validation=validation, **t)


# ---- E: sampling one character at a time ---------------------------------------------------------

def bench_sample(torch, c, spec, notes):
    import torch.nn as nn
    import torch.nn.functional as F
    w = c['workload']
    V, H = w['V'], w['H']
    dtype = torch.float64 if spec['mode'] == 'reference' else torch.float32
    rnn = nn.RNN(V, H).to(dtype)
    head = nn.Linear(H, V).to(dtype)
    rnn.load_state_dict({k[4:]: c['f32'](k).to(dtype) for k in c['tensors'] if k.startswith('rnn.')})
    head.load_state_dict({k[5:]: c['f32'](k).to(dtype) for k in c['tensors'] if k.startswith('head.')})
    W_ih_t = rnn.weight_ih_l0.detach().t().contiguous()
    W_hh, b = rnn.weight_hh_l0.detach(), (rnn.bias_ih_l0 + rnn.bias_hh_l0).detach()
    eye = torch.eye(V, dtype=dtype)
    start = CHARS.index('\n')

    if spec['variant'] == 'nn':
        def generate(n, greedy, gen):
            h, idx, out = None, start, []
            with torch.no_grad():
                for _ in range(n):
                    o, h = rnn(eye[idx].view(1, 1, V), h)
                    logits = head(o[0, 0])
                    idx = int(logits.argmax()) if greedy else int(torch.multinomial(F.softmax(logits, 0), 1, generator=gen))
                    out.append(idx)
            return out
        notes.append('nn.RNN called one step at a time on a one-hot (1, 1, V), nn.Linear, softmax, torch.multinomial')
    else:
        def generate(n, greedy, gen):
            h, idx, out = torch.zeros(H, dtype=dtype), start, []
            with torch.no_grad():
                for _ in range(n):
                    h = torch.tanh(W_ih_t[idx] + b + W_hh @ h)
                    logits = head.weight @ h + head.bias
                    idx = int(logits.argmax()) if greedy else int(torch.multinomial(F.softmax(logits, 0), 1, generator=gen))
                    out.append(idx)
            return out
        notes.append('explicit step h = tanh(W_ih^T[id] + b + W_hh·h), head, softmax, torch.multinomial')

    ids = generate(w['greedy'], True, None)
    if spec['mode'] == 'reference':
        return dict(validation=dict(status='ok', detail='reference'), reference=dict(greedy=ids))
    validation = check_greedy(c['ref'], ids)
    if validation['status'] != 'ok':
        return dict(validation=validation)
    length = 500 if spec['quick'] else w['length']
    gen = torch.Generator().manual_seed(1)
    t = measure(lambda: generate(length, False, gen), timing_options(spec['quick']))
    return dict(validation=validation, best=t['best'] / length, median=t['median'] / length, rounds=t['rounds'],
                stepsPerRound=t['stepsPerRound'] * length)


def main():
    case_path, spec = sys.argv[1], json.loads(sys.argv[2])
    result = dict(peer='torch', variant=spec['variant'], workload='?', threads=spec['threads'], best=None, median=None,
                  rounds=0, stepsPerRound=0, notes=[], validation=dict(status='failed', detail='did not run'))
    try:
        import torch
        if spec['threads']:
            torch.set_num_threads(spec['threads'])
        c = load_case(case_path, torch)
        w = c['workload']
        result['workload'] = w['id']
        blas = blas_facts(torch)
        notes = [f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads (OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}); BLAS {blas.get('openblas', 'not OpenBLAS: ' + ', '.join(blas['libraries']))}"
                 + (f", core {blas['core']}, {blas['blasThreads']} BLAS threads" if 'openblas' in blas else '')]
        result['blas'] = blas
        if w['kind'] == 'train':
            if spec['mode'] == 'reference':
                one = make_train(torch, c, 'loop', torch.float64, one_bias=True)
                one()
                l1_one_bias = one()
                step = make_train(torch, c, 'loop', torch.float64)
                l0, l1 = step(), step()
                result.update(validation=dict(status='ok', detail='reference'), reference=dict(loss0=l0, loss1=l1, loss1OneBias=l1_one_bias))
                notes.append('float64, explicit per-step loop')
            else:
                step = make_train(torch, c, spec['variant'], torch.float32)
                l0, l1 = step(), step()
                validation = check_losses(c['ref'], l0, l1)
                result['validation'] = validation
                if validation['status'] == 'ok':
                    result.update(measure(step, timing_options(spec['quick'])))
                notes.append('nn.RNN/nn.LSTM (one-hot input dense), nn.Linear, cross_entropy, Adam, clip_grad_norm_' if spec['variant'] == 'nn'
                             else 'explicit per-step loop (one-hot input as a row gather, head at every step), Adam, clip_grad_norm_')
        elif w['kind'] == 'seed':
            result.update(bench_seed(torch, c, spec, notes))
        else:
            result.update(bench_sample(torch, c, spec, notes))
        result['notes'] = notes
    except Exception:
        result['error'] = traceback.format_exc()
    result['maxRss'] = max_rss()
    emit(result)


if __name__ == '__main__':
    main()
