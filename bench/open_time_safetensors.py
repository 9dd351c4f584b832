"""Python's equivalent of opening a checkpoint for browsing: safetensors.safe_open on every shard
of the folder, reading the metadata and, for every tensor, its name, dtype and shape (what the
GUI's tree shows). Prints wall and CPU seconds of each run and their medians.

usage: open_time_safetensors.py DIR [RUNS=7]
"""
import os
import statistics
import sys
import time

from safetensors import safe_open


def open_all(folder):
    tensors = 0
    shards = sorted(f for f in os.listdir(folder) if f.endswith(".safetensors"))
    for shard in shards:
        with safe_open(os.path.join(folder, shard), framework="np") as f:
            f.metadata()
            for key in f.keys():
                s = f.get_slice(key)
                s.get_dtype(), s.get_shape()
                tensors += 1
    return len(shards), tensors


def main():
    folder = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    walls, cpus = [], []
    for run in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        shards, tensors = open_all(folder)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        print(f"run {run + 1}: {walls[-1]:.4f} s wall, {cpus[-1]:.4f} s cpu")
    print(f"median {statistics.median(walls):.4f} s wall, {statistics.median(cpus):.4f} s cpu"
          f"  ({tensors} tensors in {shards} shards)")


if __name__ == "__main__":
    main()
