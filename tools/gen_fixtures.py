#!/usr/bin/env python3
"""Regenerates every PyTorch reference fixture the tests compare against.

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_fixtures.py` (or `npm run fixtures`).
Each script in tools/fixtures/ takes an output directory and writes one JSON file;
this runner puts each where its test expects it (the FIXTURES table)."""
import os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = {
    'ops.py': 'src/autograd/fixtures',
    'layers.py': 'src/layers/fixtures',
    'losses.py': 'src/losses/fixtures',
    'optim.py': 'src/optim/fixtures',
}

for script, out in FIXTURES.items():
    path = os.path.join(ROOT, 'tools/fixtures', script)
    if not os.path.exists(path):
        continue
    os.makedirs(os.path.join(ROOT, out), exist_ok=True)
    print(f'{script} -> {out}', file=sys.stderr)
    subprocess.check_call([sys.executable, path, os.path.join(ROOT, out)])
