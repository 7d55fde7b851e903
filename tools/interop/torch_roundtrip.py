"""The PyTorch side of recur's interop tests (src/interop/torch.python.test.ts).

    python3 torch_roundtrip.py JOB.json RESULT.json

JOB lists exported models: {"cases": [{"dir": D, "inputs": [{"name", "dtype", "shape", "data"}], "trained": PATH}]}.
For each, from nothing but D/model.py and D/model.safetensors (as a user would), it
  1. loads the model with the generated class (load_state_dict is strict),
  2. runs the inputs                                          -> "before"
  3. trains it a few Adam steps on a made-up loss, saves the weights with model.save(PATH)
     (recur's metadata kept), and runs the inputs again       -> "after".
RESULT: {"cases": [{"before": [...], "after": [...], "changed": n_tensors_changed}]}, outputs flattened.
One process for every case, since importing torch is the slow part.
"""
import importlib.util
import json
import sys

import torch


def load_module(directory, k):
    spec = importlib.util.spec_from_file_location(f'recur_export_{k}', f'{directory}/model.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def model_class(module):
    return next(v for v in vars(module).values()
                if isinstance(v, type) and issubclass(v, module.RecurModule) and v is not module.RecurModule)


def tensors(inputs):
    dtypes = {'int64': torch.int64, 'float32': torch.float32}
    return {i['name']: torch.tensor(i['data'], dtype=dtypes[i['dtype']]).reshape(i['shape']) for i in inputs}


def run(model, inputs):
    with torch.no_grad():
        out = model(**inputs)
    out = out[0] if isinstance(out, tuple) else out
    return out.reshape(-1).tolist()


def main(job_path, result_path):
    torch.manual_seed(0)
    job = json.load(open(job_path))
    results = []
    for k, case in enumerate(job['cases']):
        module = load_module(case['dir'], k)
        model = model_class(module).from_file(f"{case['dir']}/model.safetensors").eval()
        inputs = tensors(case['inputs'])
        before = run(model, inputs)
        original = {n: t.clone() for n, t in model.state_dict().items()}
        optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
        for _ in range(3):  # eval mode: dropout off, so the result is deterministic
            out = model(**inputs)
            out = out[0] if isinstance(out, tuple) else out
            loss = (out - 0.5).pow(2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.save(case['trained'])
        changed = sum(not torch.equal(original[n], t) for n, t in model.state_dict().items())
        results.append({'before': before, 'after': run(model, inputs), 'changed': changed})
    json.dump({'cases': results}, open(result_path, 'w'))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
