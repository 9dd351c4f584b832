#!/usr/bin/env python3
"""Writes the hostile-input corpus of tests/hostile and its expected.json.

Every case is a file or folder a user (or an attacker) could hand to ckptscope, with the one
error kind it must produce. The output is committed beside this script so that the corpus can be
reviewed byte by byte; re-running it must give the same bytes (no randomness, no timestamps).

expected.json maps a case to:
  path      file or folder, relative to tests/hostile
  open_with "file"       a single .safetensors: readSafetensorsHeader, SafetensorsFile::open and
                         Checkpoint::open all fail with `code`; `ckptscope-cli inspect` exits 1
            "checkpoint" a folder: Checkpoint::open fails with `code`; inspect exits 1
            "plan"       the folder opens, but its quant pairing reports `code` as a problem
                         (inspect lists it and exits 0: problems are findings, cli/
                         inspect_command.cpp) and `ckptscope-cli map` exits `map_exit` with
                         `code` on stderr (1: the plan refuses; 0: the plan warns and trusts the
                         tensors, formats spec §3)
  code      core/result.h errorCodeName()
  tensor    the tensor the error must name, or null
Usage: python3 tests/hostile/make_corpus.py   (from anywhere)
"""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = {}


def header_bytes(header, pad=True):
    text = header if isinstance(header, (bytes, str)) else json.dumps(header, separators=(",", ":"))
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if pad:
        raw += b" " * ((8 - (8 + len(raw)) % 8) % 8)
    return raw


def st_file(header, data=b"", prefix_len=None, pad=True):
    """A safetensors file: 8-byte little-endian length, header, data. prefix_len overrides N."""
    raw = header_bytes(header, pad)
    n = len(raw) if prefix_len is None else prefix_len
    return struct.pack("<Q", n) + raw + data


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def write(rel, content):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content if isinstance(content, bytes) else content.encode("utf-8"))


def case(name, path, open_with, code, tensor=None, map_exit=None):
    CASES[name] = {"path": path, "open_with": open_with, "code": code, "tensor": tensor}
    if map_exit is not None:
        CASES[name]["map_exit"] = map_exit


def file_case(name, content, code, tensor=None):
    write(name + ".safetensors", content)
    case(name, name + ".safetensors", "file", code, tensor)


def single_file_cases():
    ok = {"a": entry("F32", [2, 3], 0, 24)}
    file_case("empty_file", b"", "file_too_small")
    file_case("truncated_prefix", b"\x10\x00\x00\x00\x00", "file_too_small")
    file_case("header_past_eof", st_file(ok, b"\0" * 24, prefix_len=4096), "header_past_eof")
    # A file cut inside its header: the prefix promises more header than there is.
    file_case("truncated_mid_header", st_file(ok, b"\0" * 24)[:30], "header_past_eof")
    # 100 MB + 1 claimed, 8 bytes stored: the claim alone must be refused (no allocation).
    file_case("header_100mb_claim", st_file(ok, b"\0" * 24, prefix_len=100_000_001), "header_too_large")
    file_case("header_length_max_u64", st_file(ok, b"\0" * 24, prefix_len=2**64 - 1), "header_too_large")
    file_case("truncated_data", st_file(ok, b"\0" * 10), "offsets_past_end", "a")
    file_case("offsets_past_eof", st_file({"a": entry("F32", [2, 3], 0, 24),
                                           "b": entry("F32", [4], 24, 40)}, b"\0" * 24),
              "offsets_past_end", "b")
    file_case("offsets_overlap", st_file({"a": entry("F32", [2, 3], 0, 24),
                                          "b": entry("F32", [4], 16, 32)}, b"\0" * 32),
              "offsets_overlap", "b")
    file_case("offsets_begin_after_end", st_file({"a": entry("U8", [0], 8, 0)}, b"\0" * 8),
              "invalid_offsets", "a")
    file_case("offsets_gap", st_file({"a": entry("F32", [2], 0, 8), "b": entry("F32", [2], 16, 24)},
                                     b"\0" * 24), "offsets_gap", "b")
    file_case("offsets_first_not_zero", st_file({"a": entry("F32", [2], 8, 16)}, b"\0" * 16),
              "offsets_gap", "a")
    file_case("trailing_bytes", st_file(ok, b"\0" * 32), "trailing_bytes")
    file_case("shape_dtype_bytes_mismatch", st_file({"a": entry("F32", [2, 3], 0, 20)}, b"\0" * 20),
              "size_mismatch", "a")
    file_case("fp4_odd_elements", st_file({"a": entry("F4", [3], 0, 2)}, b"\0" * 2),
              "size_mismatch", "a")
    file_case("shape_product_overflow", st_file({"a": entry("F32", [2**32, 2**32, 2], 0, 8)}, b"\0" * 8),
              "shape_overflow", "a")
    file_case("shape_bytes_overflow", st_file({"a": entry("F32", [2**62], 0, 8)}, b"\0" * 8),
              "shape_overflow", "a")
    file_case("shape_dim_2pow64", st_file('{"a":{"dtype":"U8","shape":[18446744073709551616],'
                                          '"data_offsets":[0,1]}}', b"\0"), "invalid_shape", "a")
    file_case("shape_negative_dim", st_file({"a": entry("U8", [-1], 0, 1)}, b"\0"), "invalid_shape", "a")
    file_case("unknown_dtype", st_file({"a": entry("F128", [2], 0, 32)}, b"\0" * 32), "unknown_dtype", "a")
    file_case("unknown_dtype_lowercase", st_file({"a": entry("f32", [2], 0, 8)}, b"\0" * 8),
              "unknown_dtype", "a")
    file_case("duplicate_keys", st_file('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                                        '"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', b"\0" * 2),
              "duplicate_tensor", "a")
    file_case("non_utf8_name", st_file(b'{"w\xff\xfe":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
                                       b"\0"), "header_not_utf8")
    file_case("header_not_json", st_file('{"a":{"dtype":"U8",', b""), "header_invalid_json")
    file_case("header_is_array", st_file("[]"), "header_not_object")
    file_case("header_leading_space", st_file(' {"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
                                              b"\0"), "header_not_object")
    file_case("metadata_not_strings", st_file({"__metadata__": {"format": 1}, **ok}, b"\0" * 24),
              "metadata_invalid")
    file_case("entry_missing_offsets", st_file({"a": {"dtype": "U8", "shape": [1]}}, b"\0"),
              "tensor_entry_invalid", "a")


def folder(name, files):
    root = os.path.join(HERE, name)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for rel, content in files.items():
        write(os.path.join(name, rel), content)


def index(weight_map, total=None):
    meta = {"total_size": total} if total is not None else {}
    return json.dumps({"metadata": meta, "weight_map": weight_map}, indent=2, sort_keys=True) + "\n"


def one_tensor_file(name, nbytes=8):
    return st_file({name: entry("U8", [nbytes], 0, nbytes)}, b"\0" * nbytes)


def checkpoint_cases():
    s1, s2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
    folder("index_missing_shard", {
        "model.safetensors.index.json": index({"a": s1, "b": s2}),
        s1: one_tensor_file("a")})
    case("index_missing_shard", "index_missing_shard", "checkpoint", "index_missing_shard", "b")
    folder("index_missing_tensor", {
        "model.safetensors.index.json": index({"a": s1, "b": s2, "c": s2}),
        s1: one_tensor_file("a"), s2: one_tensor_file("b")})
    case("index_missing_tensor", "index_missing_tensor", "checkpoint", "index_missing_tensor", "c")
    folder("index_unlisted_tensor", {
        "model.safetensors.index.json": index({"a": s1}),
        s1: st_file({"a": entry("U8", [8], 0, 8), "z": entry("U8", [8], 8, 16)}, b"\0" * 16)})
    case("index_unlisted_tensor", "index_unlisted_tensor", "checkpoint", "index_unlisted_tensor", "z")
    folder("index_path_escape", {
        "model.safetensors.index.json": index({"a": "../outside.safetensors"}),
        s1: one_tensor_file("a")})
    case("index_path_escape", "index_path_escape", "checkpoint", "index_invalid", "a")
    folder("index_weight_map_not_object", {
        "model.safetensors.index.json": '{"metadata": {}, "weight_map": ["a"]}\n',
        s1: one_tensor_file("a")})
    case("index_weight_map_not_object", "index_weight_map_not_object", "checkpoint", "index_invalid")
    folder("tensor_in_two_shards", {s1: one_tensor_file("a"), s2: one_tensor_file("a")})
    case("tensor_in_two_shards", "tensor_in_two_shards", "checkpoint", "tensor_in_two_shards", "a")
    # A sharded checkpoint whose second shard was cut short (an interrupted download).
    full = st_file({"b.weight": entry("F32", [64], 0, 256)}, b"\0" * 256)
    folder("truncated_shard", {
        "model.safetensors.index.json": index({"a": s1, "b.weight": s2}),
        s1: one_tensor_file("a"), s2: full[:len(full) - 100]})
    case("truncated_shard", "truncated_shard", "checkpoint", "offsets_past_end", "b.weight")
    folder("config_not_json", {"config.json": '{"model_type": "deepseek_v3",', s1: one_tensor_file("a")})
    case("config_not_json", "config_not_json", "checkpoint", "config_invalid")
    folder("torch_dcp", {".metadata": b"\x80\x04pickle", "__0_0.distcp": b"\x80\x04pickle"})
    case("torch_dcp", "torch_dcp", "checkpoint", "unsupported_format")


def v3_config(block=(128, 128)):
    return json.dumps({"architectures": ["DeepseekV3ForCausalLM"], "model_type": "deepseek_v3",
                       "quantization_config": {"quant_method": "fp8", "fmt": "e4m3",
                                               "activation_scheme": "dynamic",
                                               "weight_block_size": list(block)}}, indent=2) + "\n"


def fp8_folder(name, weight_shape, scale_shape, block=(128, 128)):
    w = "model.layers.0.self_attn.o_proj.weight"
    rows, cols = weight_shape
    tensors = {w: entry("F8_E4M3", [rows, cols], 0, rows * cols)}
    nbytes = rows * cols
    if scale_shape is not None:
        n = 4 * scale_shape[0] * scale_shape[1]
        tensors[w + "_scale_inv"] = entry("F32", scale_shape, nbytes, nbytes + n)
        nbytes += n
    folder(name, {"config.json": v3_config(block), "model.safetensors": st_file(tensors, b"\0" * nbytes)})
    return w


def plan_cases():
    # 200 x 100 with 128 x 128 blocks needs a [2, 1] scale grid.
    w = fp8_folder("scale_wrong_shape", (200, 100), [3, 3])
    case("scale_wrong_shape", "scale_wrong_shape", "plan", "scale_shape_mismatch", w, map_exit=1)
    w = fp8_folder("fp8_without_scale", (200, 100), None)
    case("fp8_without_scale", "fp8_without_scale", "plan", "scale_missing", w, map_exit=1)
    # config.json claims 64 x 64 blocks, the scales are on the 128 x 128 grid: the tensors win,
    # with a warning naming the config (DeepSeek hard-codes 128; formats spec §3).
    w = fp8_folder("config_block_size_lies", (200, 100), [2, 1], block=(64, 64))
    case("config_block_size_lies", "config_block_size_lies", "plan", "config_invalid", w, map_exit=0)
    # config.json claims the default 128 x 128 but the scales are on a 64 x 64 grid: neither the
    # config nor the default fits, so the scale is wrong.
    w = fp8_folder("scale_grid_not_config_block", (200, 100), [4, 2])
    case("scale_grid_not_config_block", "scale_grid_not_config_block", "plan", "scale_shape_mismatch",
         w, map_exit=1)


def main():
    for entry_name in os.listdir(HERE):
        path = os.path.join(HERE, entry_name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif entry_name.endswith(".safetensors"):
            os.remove(path)
    single_file_cases()
    checkpoint_cases()
    plan_cases()
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(CASES, f, indent=2, sort_keys=True)
        f.write("\n")
    print("make_corpus: %d cases" % len(CASES))


if __name__ == "__main__":
    main()
