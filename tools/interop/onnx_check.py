"""Validates ONNX files with the ONNX project's own checker (Debian's python3-onnx).

    python3 onnx_check.py FILE.onnx ...

Prints one JSON object: {FILE: {"ok": true, "ops": [...], "opset": n, "inputs": [...], "outputs": [...]}
or {"ok": false, "error": "..."}}. full_check also runs strict shape inference over the graph.
"""
import json
import sys

import onnx


def check(path):
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # the checker's messages are the point: pass them on
        return {'ok': False, 'error': f'{type(e).__name__}: {e}'}
    graph = model.graph
    return {
        'ok': True,
        'ops': sorted({n.op_type for n in graph.node}),
        'opset': model.opset_import[0].version,
        'inputs': [i.name for i in graph.input],
        'outputs': [o.name for o in graph.output],
    }


if __name__ == '__main__':
    print(json.dumps({path: check(path) for path in sys.argv[1:]}))
