"""Baseline for the convert benchmark: what people use today to dequantize a DeepSeek FP8 checkpoint
(the logic of DeepSeek's inference/fp8_cast_bf16.py), written with numpy + ml_dtypes + the official
safetensors instead of torch so it runs on any machine.

Usage: reference_fp8_cast_bf16.py SRC DST
For every shard: load all tensors (scales found through the index, in any shard), multiply each F8_E4M3 weight by its 128x128 weight_scale_inv
block scales in float32, cast to bfloat16, drop the scales, save the shard; then write the index.
"""
import json, os, sys
import numpy as np
import ml_dtypes
from safetensors.numpy import save_file

DT = {"BF16": ml_dtypes.bfloat16, "F16": np.float16, "F32": np.float32, "I64": np.int64, "I32": np.int32,
      "F8_E4M3": ml_dtypes.float8_e4m3fn, "F8_E8M0": ml_dtypes.float8_e8m0fnu, "I8": np.int8, "U8": np.uint8}


def load_file(path):
    # safetensors.numpy cannot materialise F8 tensors: read them from the header's offsets.
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    header.pop("__metadata__", None)
    return {k: np.frombuffer(data, DT[e["dtype"]], count=int(np.prod(e["shape"])), offset=e["data_offsets"][0])
               .reshape(e["shape"]) for k, e in header.items()}


def dequant(w, s, block=128):
    rows, cols = w.shape
    full = np.repeat(np.repeat(s.astype(np.float32), block, 0), block, 1)[:rows, :cols]
    return (w.astype(np.float32) * full).astype(ml_dtypes.bfloat16)


def main():
    src, dst = sys.argv[1:3]
    os.makedirs(dst, exist_ok=True)
    index = json.load(open(os.path.join(src, "model.safetensors.index.json")))
    weight_map, total, loaded = {}, 0, {}

    def tensor(name):  # a scale may live in another shard: resolve it through the index, cached
        shard = index["weight_map"][name]
        if shard not in loaded:
            loaded[shard] = load_file(os.path.join(src, shard))
        return loaded[shard][name]

    for shard in sorted(set(index["weight_map"].values())):
        tensors = load_file(os.path.join(src, shard))
        loaded[shard] = tensors
        out = {}
        for name, t in tensors.items():
            if name.endswith("_scale_inv"):
                continue
            scale = tensor(name + "_scale_inv") if name + "_scale_inv" in index["weight_map"] else None
            out[name] = dequant(t, scale) if scale is not None else t
        save_file(out, os.path.join(dst, shard), metadata={"format": "pt"})
        for name, t in out.items():
            weight_map[name] = shard
            total += t.nbytes
    json.dump({"metadata": {"total_size": total}, "weight_map": weight_map},
              open(os.path.join(dst, "model.safetensors.index.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
