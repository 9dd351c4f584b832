"""Writes a safetensors file with the official library (numpy front end, ml_dtypes for BF16 and
F8) and prints, as JSON on stdout, every tensor's shape and little-endian bytes in hex, so the
C++ reader can be checked byte for byte against the reference writer.

usage: safetensors_write_reference.py OUT_FILE
"""
import json
import sys

import ml_dtypes
import numpy as np
from safetensors.numpy import save_file


def main() -> int:
    out = sys.argv[1]
    rng = np.random.default_rng(7)
    tensors = {
        "model.embed_tokens.weight": rng.standard_normal((3, 5)).astype(np.float32),
        "f16": rng.standard_normal((4,)).astype(np.float16),
        "f64": rng.standard_normal((2, 2)).astype(np.float64),
        "i64": np.array([-3, 2**40, 7], dtype=np.int64),
        "i32": np.array([[-1, 5], [1 << 30, -(1 << 31)]], dtype=np.int32),
        "u8": np.arange(250, 256, dtype=np.uint8),
        "bool": np.array([True, False, True]),
        "bf16": rng.standard_normal((2, 3)).astype(ml_dtypes.bfloat16),
        "f8_e4m3": np.array([1, -448, 0.0625, 3.5, -0.5], dtype=ml_dtypes.float8_e4m3fn),
        "f8_e8m0": np.array([1, 2, 0.5], dtype=ml_dtypes.float8_e8m0fnu),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float16),
    }
    save_file(tensors, out, metadata={"format": "pt", "writer": "python"})
    json.dump({name: {"shape": list(a.shape), "hex": a.tobytes().hex()}
               for name, a in tensors.items()}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
