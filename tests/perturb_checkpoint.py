#!/usr/bin/env python3
"""Perturbs a copy of a checkpoint in place so the diff view has something to show (used by
tests/screenshots.sh): low mantissa bits of some BF16 tensors and some F8_E4M3 codes are XORed
with deterministic noise, with a different amplitude per tensor so max_abs varies. Only the
tensor data changes; headers, shapes and dtypes stay as they are. Plain Python, no numpy.

    perturb_checkpoint.py FOLDER [--tensors N]
"""
import json
import os
import random
import struct
import sys


def tensors_of(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    header.pop("__metadata__", None)
    return 8 + n, header


def perturb(path, name, info, base, rng, amplitude):
    begin, end = info["data_offsets"]
    with open(path, "r+b") as f:
        f.seek(base + begin)
        data = bytearray(f.read(end - begin))
        if info["dtype"] == "BF16":
            for i in range(0, len(data), 2):  # low byte: the 7 low mantissa bits and one exponent bit
                data[i] ^= rng.getrandbits(amplitude)
        else:  # F8_E4M3: flip the lowest mantissa bit of 1 code in 8, never making a NaN code
            for i in range(len(data)):
                if rng.random() < 0.125 and (data[i] & 0x7F) not in (0x7E, 0x7F):
                    data[i] ^= 0x01
        f.seek(base + begin)
        f.write(data)
    print(f"perturbed {name} ({info['dtype']}, amplitude {amplitude})")


def main():
    folder = sys.argv[1]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--tensors" else 8
    rng = random.Random(1234)
    done = 0
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".safetensors"):
            continue
        path = os.path.join(folder, file)
        base, header = tensors_of(path)
        for name in sorted(header):
            info = header[name]
            if done >= limit or info["dtype"] not in ("BF16", "F8_E4M3") or ".1." not in name:
                continue
            perturb(path, name, info, base, rng, 1 + done % 4)
            done += 1
    if done == 0:
        sys.exit("no BF16 or F8_E4M3 tensor of layer 1 found in " + folder)


if __name__ == "__main__":
    main()
