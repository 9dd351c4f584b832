"""Checks a file written by ckptscope with the official library: `deserialize` (the Rust
reader's full header validation, raw bytes for every dtype), `safe_open` (metadata, keys) and
`safetensors.numpy` (values as numpy / ml_dtypes arrays, float8 excepted).
Exits 1 and lists every mismatch on stderr.

usage: safetensors_check_ours.py FILE EXPECTED_JSON
EXPECTED_JSON: {"metadata": {...}, "tensors": {name: {"dtype", "shape", "hex"}}}
"""
import json
import sys

import ml_dtypes  # noqa: F401  (registers bfloat16 / float8 with numpy for load_file)
import numpy as np
from safetensors import deserialize, safe_open
from safetensors.numpy import load_file


def main() -> int:
    path, expected_path = sys.argv[1], sys.argv[2]
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    want = expected["tensors"]
    errors = []

    with open(path, "rb") as f:
        raw = f.read()
    got = dict(deserialize(raw))
    if set(got) != set(want):
        errors.append(f"keys differ: {sorted(got)} vs {sorted(want)}")
    for name, info in want.items():
        g = got.get(name)
        if g is None:
            continue
        if g["dtype"] != info["dtype"] or list(g["shape"]) != info["shape"]:
            errors.append(f"{name}: {g['dtype']} {g['shape']} != {info['dtype']} {info['shape']}")
        if bytes(g["data"]).hex() != info["hex"]:
            errors.append(f"{name}: bytes differ")

    with safe_open(path, framework="np") as f:
        if f.metadata() != expected["metadata"]:
            errors.append(f"metadata {f.metadata()} != {expected['metadata']}")
        if set(f.keys()) != set(want):
            errors.append("safe_open keys differ")

    # safetensors' numpy front end has no float8 mapping (it asks numpy for the ml_dtypes name);
    # those tensors are covered by `deserialize` above. The rest go through load_file when it
    # can load the whole file, else through safe_open one tensor at a time.
    loadable = {n: i for n, i in want.items() if not i["dtype"].startswith("F8_")}
    if len(loadable) == len(want):
        arrays = load_file(path)
    else:
        with safe_open(path, framework="np") as f:
            arrays = {n: f.get_tensor(n) for n in loadable}
    for name, info in loadable.items():
        a = arrays.get(name)
        if a is None:
            errors.append(f"{name}: not loaded by load_file")
        elif (list(a.shape) != info["shape"]
              or np.ascontiguousarray(a).tobytes().hex() != info["hex"]):
            errors.append(f"{name}: numpy array differs (shape {list(a.shape)}, dtype {a.dtype})")

    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
