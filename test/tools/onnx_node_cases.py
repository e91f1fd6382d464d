#!/usr/bin/python3
"""Writes the official ONNX operator conformance cases (onnx/backend/test/case/node) for the given op types.

    /usr/bin/python3 test/tools/onnx_node_cases.py OUT_DIR OP_TYPE [OP_TYPE ...]

Uses the installed `onnx` package's own case generators (Debian's python3-onnx, onnx 1.12), the same
ones `python -m onnx.backend.test.cmd_tools generate-data` runs, restricted to cases whose node has one
of the given op types. Each case goes to OUT_DIR/<case>/ as model.onnx, input_<j>.pb and output_<j>.pb
(TensorProto, as generate-data writes them); OUT_DIR/manifest.json lists {name, op, opset, inputs,
outputs} per case plus the onnx version. Cases named *_expanded (the op's function body spelled out in
other ops) belong to those other ops and are not written. Everything is written into a temp folder
that replaces OUT_DIR at the end, so a reader never sees half a cache.
"""
import importlib
import json
import os
import pkgutil
import shutil
import sys
import tempfile

import numpy as np

# onnx 1.12's generators still use numpy aliases removed in numpy 1.24 (np.float in bernoulli.py, ...).
# Restoring them as the builtins they aliased changes no case's numbers.
for _name, _alias in (('float', float), ('int', int), ('bool', bool), ('object', object), ('complex', complex)):
    if _name not in np.__dict__:
        setattr(np, _name, _alias)

import onnx  # noqa: E402
import onnx.backend.test.case.node as node_cases  # noqa: E402
from onnx import numpy_helper  # noqa: E402


def collect(op_types):
    """Runs every generator module with `expect` filtered to `op_types`; returns the cases and modules that failed."""
    keep = set(op_types)
    expect = node_cases.expect

    def filtered(node, *args, **kwargs):
        if node.op_type in keep:
            expect(node, *args, **kwargs)

    node_cases.expect = filtered  # the modules import `expect` from the package when they load
    broken = []
    for _, name, _ in pkgutil.iter_modules(node_cases.__path__):
        try:
            importlib.import_module(f'{node_cases.__name__}.{name}')
        except Exception as e:  # a generator this numpy cannot run: say which, keep the rest
            broken.append(f'{name}: {type(e).__name__}: {e}')
    return [c for c in node_cases._NodeTestCases if not c.name.endswith('_expanded')], broken


def tensor_bytes(value, name):
    return numpy_helper.from_array(np.asarray(value), name).SerializeToString()


def write_case(root, case):
    d = os.path.join(root, case.name)
    os.makedirs(d)
    model = case.model
    with open(os.path.join(d, 'model.onnx'), 'wb') as f:
        f.write(model.SerializeToString())
    inputs, outputs = case.data_sets[0]
    written = {'inputs': 0, 'outputs': 0}
    for kind, values, infos in (('input', inputs, model.graph.input), ('output', outputs, model.graph.output)):
        for j, (value, info) in enumerate(zip(values, infos)):
            if not info.type.HasField('tensor_type'):
                continue  # sequences / optionals: the importer refuses such graph inputs before reading data
            with open(os.path.join(d, f'{kind}_{j}.pb'), 'wb') as f:
                f.write(tensor_bytes(value, info.name))
            written[kind + 's'] += 1
    opset = next((o.version for o in model.opset_import if o.domain in ('', 'ai.onnx')), None)
    return {'name': case.name, 'op': model.graph.node[0].op_type, 'opset': opset, **written}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, op_types = os.path.abspath(sys.argv[1]), sorted(set(sys.argv[2:]))
    cases, broken = collect(op_types)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.onnx-node-cases-', dir=parent)
    try:
        entries = [write_case(tmp, c) for c in sorted(cases, key=lambda c: c.name)]
        manifest = {'onnx': onnx.__version__, 'ops': op_types, 'cases': entries, 'brokenGenerators': broken}
        with open(os.path.join(tmp, 'manifest.json'), 'w') as f:
            json.dump(manifest, f, indent=1)
        old = out + '.old'
        if os.path.exists(out):
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f'{len(entries)} cases for {len(op_types)} op types in {out} (onnx {onnx.__version__})')


if __name__ == '__main__':
    main()
