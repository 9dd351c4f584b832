#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

The seeds are committed (the CI clone must not depend on ../shared or on a built CLI); this
script documents where each one comes from and regenerates them:
  * the real safetensors sample files published with the reference implementation
    (../shared/testdata/safetensors-samples: one tensor per dtype, an unaligned data start);
  * headers, index.json and config.json of the tiny demo checkpoint of every family, written by
    `ckptscope-cli demo` (the real on-disk key sets, dtypes and quant layouts);
  * the known-bad inputs of the hostile corpus (tests/hostile, see make_corpus.py) and a few
    hand-written malformed index/config documents;
  * fixed pseudo-random byte strings for the plan builder (its input is decoded by
    FuzzedDataProvider, so any bytes are meaningful).
Usage: python3 tests/fuzz/make_seeds.py PATH/TO/ckptscope-cli
"""
import glob
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(os.path.dirname(ROOT), "shared", "testdata", "safetensors-samples")
HOSTILE = os.path.join(ROOT, "tests", "hostile")
FAMILIES = ["deepseek_v3", "deepseek_v4", "gemma4_moe", "step3p5"]


def out_dir(target):
    path = os.path.join(HERE, "corpus", target)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def put(directory, name, content):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(content if isinstance(content, bytes) else content.encode("utf-8"))


def header_json(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return f.read(n)


def header_seeds(demos):
    d = out_dir("fuzz_safetensors_header")
    for path in sorted(glob.glob(os.path.join(SAMPLES, "*.safetensors"))):
        shutil.copy(path, os.path.join(d, "sample-" + os.path.basename(path)))
    for family in FAMILIES:
        shard = sorted(glob.glob(os.path.join(demos, family, "*.safetensors")))[0]
        put(d, "demo-%s-header.json" % family, header_json(shard))
    for path in sorted(glob.glob(os.path.join(HOSTILE, "*.safetensors"))):
        shutil.copy(path, os.path.join(d, "hostile-" + os.path.basename(path)))


def index_seeds(demos):
    d = out_dir("fuzz_index_json")
    for family in FAMILIES:
        with open(os.path.join(demos, family, "model.safetensors.index.json"), "rb") as f:
            put(d, "demo-%s.index.json" % family, f.read())
    for path in sorted(glob.glob(os.path.join(HOSTILE, "*", "model.safetensors.index.json"))):
        shutil.copy(path, os.path.join(d, "hostile-%s.index.json" % os.path.basename(os.path.dirname(path))))
    bad = {
        "empty-object.json": "{}",
        "weight-map-twice.json": '{"weight_map": {"a": "x.safetensors"}, "weight_map": {}}',
        "tensor-twice.json": '{"weight_map": {"a": "x.safetensors", "a": "y.safetensors"}}',
        "shard-not-string.json": '{"weight_map": {"a": 1}}',
        "total-size-kinds.json": '{"metadata": {"total_size": -1.5e3, "x": [1, {"y": null}]},'
                                 ' "weight_map": {"b": "m.safetensors", "a": "m.safetensors"}}',
        "escapes.json": '{"weight_map": {"a\\u0000\\"\\\\": "m\\u00e9.safetensors"}}',
        "trailing-text.json": '{"weight_map": {}} x',
    }
    for name, text in bad.items():
        put(d, name, text)
    put(d, "non-utf8.json", b'{"weight_map": {"\xff\xfe": "m.safetensors"}}')


def config_seeds(demos):
    d = out_dir("fuzz_config_json")
    for family in FAMILIES:
        with open(os.path.join(demos, family, "config.json"), "rb") as f:
            put(d, "demo-%s.config.json" % family, f.read())
    for path in sorted(glob.glob(os.path.join(HOSTILE, "*", "config.json"))):
        shutil.copy(path, os.path.join(d, "hostile-%s.config.json" % os.path.basename(os.path.dirname(path))))
    odd = {
        "block-strings.json": {"model_type": "deepseek_v3", "quantization_config": {"weight_block_size": ["128", 128]}},
        "block-zero.json": {"model_type": "deepseek_v3", "quantization_config": {"weight_block_size": [0, 128]}},
        "block-huge.json": {"model_type": "deepseek_v3", "quantization_config": {"weight_block_size": [2**40, 1]}},
        "experts-negative.json": {"architectures": ["DeepseekV4ForCausalLM"], "n_routed_experts": -1,
                                  "num_hash_layers": 2**63},
        "gemma-text-config.json": {"model_type": "gemma4", "text_config": {"enable_moe_block": True,
                                   "num_experts": "4", "moe_intermediate_size": None}},
        "step-wrong-types.json": {"architectures": ["Step3p5ForCausalLM"], "moe_num_experts": 1.5,
                                  "moe_layers_enum": "1,2", "share_expert_dims": [1]},
        "architectures-not-list.json": {"architectures": "DeepseekV3ForCausalLM", "model_type": 3},
    }
    for name, doc in odd.items():
        put(d, name, json.dumps(doc))


def plan_seeds():
    d = out_dir("fuzz_plan_builder")
    for i in range(24):
        rng = random.Random(i)
        put(d, "random-%02d.bin" % i, bytes(rng.randrange(256) for _ in range(16 + 10 * i)))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cli = sys.argv[1]
    with tempfile.TemporaryDirectory() as demos:
        for family in FAMILIES:
            subprocess.run([cli, "demo", os.path.join(demos, family), "--family", family, "--size", "tiny"],
                           check=True, stdout=subprocess.DEVNULL)
        header_seeds(demos)
        index_seeds(demos)
        config_seeds(demos)
    plan_seeds()
    for target in sorted(os.listdir(os.path.join(HERE, "corpus"))):
        print("make_seeds: %s: %d seeds" % (target, len(os.listdir(os.path.join(HERE, "corpus", target)))))


if __name__ == "__main__":
    main()
