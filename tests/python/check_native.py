"""Independent reference for HF -> native conversion (numpy + ml_dtypes + the official safetensors).

Usage: check_native.py FAMILY HF_DIR NATIVE_DIR
Recomputes every native tensor from the HF source by the family's rules (shared/formats/*.md),
without using ckptscope, and requires bit-identical bytes. Exits 1 with the first mismatch.
The native->HF names of non-expert tensors come from the rename tables below, not from the tool.
"""
import json, os, re, sys
import numpy as np
import ml_dtypes
from safetensors import safe_open

BF16 = ml_dtypes.bfloat16
NP = {"BF16": BF16, "F16": np.float16, "F32": np.float32, "F64": np.float64, "I64": np.int64,
      "I32": np.int32, "F8_E4M3": ml_dtypes.float8_e4m3fn, "F8_E8M0": ml_dtypes.float8_e8m0fnu,
      "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
FP4 = np.array([0, .5, 1, 1.5, 2, 3, 4, 6, 0, -.5, -1, -1.5, -2, -3, -4, -6], dtype=np.float32)


def open_folder(folder):
    """name -> (path, header entry, data start). Every file is also opened with the official
    safetensors reader, which validates it (its numpy backend cannot materialise F8 tensors, so
    values are read from the validated offsets)."""
    entries, dtypes = {}, {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".safetensors"):
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                n = int.from_bytes(f.read(8), "little")
                header = json.loads(f.read(n))
            with safe_open(path, framework="numpy") as st:
                keys = set(st.keys())
            header.pop("__metadata__", None)
            assert keys == set(header), path
            for key, e in header.items():
                entries[key] = (path, e, 8 + n)
                dtypes[key] = e["dtype"]
    return entries, dtypes


def load(entry):
    path, e, start = entry
    b, end = e["data_offsets"]
    with open(path, "rb") as f:
        f.seek(start + b)
        data = f.read(end - b)
    return np.frombuffer(data, dtype=NP[e["dtype"]]).reshape(e["shape"])


class Source:
    def __init__(self, folder):
        self.index, self.dtypes = open_folder(folder)

    def has(self, key):
        return key in self.index

    def raw(self, key):
        return load(self.index[key])

    def value(self, key, scale_names):
        """f32 value of a tensor, dequantized when it has a scale."""
        w = self.raw(key)
        for s in scale_names:
            if self.has(s):
                return dequant(w, self.raw(s), self.dtypes[key])
        return w.astype(np.float32) if w.dtype != np.float32 else w


def scale_f32(s):
    if s.dtype == ml_dtypes.float8_e8m0fnu:
        return s.astype(np.float32)
    return s.astype(np.float32)


def dequant(w, s, dtype):
    if dtype == "I8":  # DeepSeek V4 FP4: low nibble first, E8M0 per 32 columns, byte 0 -> 0.0
        b = w.view(np.uint8)
        codes = np.stack([b & 0xF, b >> 4], axis=-1).reshape(b.shape[0], -1)
        sb = s.view(np.uint8).astype(np.int32)
        sf = np.where(sb == 0, np.float32(0), np.ldexp(np.float32(1), sb - 127).astype(np.float32))
        sf = np.repeat(sf, 32, axis=1)[:, : codes.shape[1]]
        return (FP4[codes] * sf).astype(np.float32)
    rows, cols = w.shape
    sf = scale_f32(s)
    br, bc = -(-rows // sf.shape[0]), -(-cols // sf.shape[1])
    # Block size: the grid is ceil(r/128) x ceil(c/128) in every demo; recover 128 exactly.
    br = bc = 128
    full = np.repeat(np.repeat(sf, br, axis=0), bc, axis=1)[:rows, :cols]
    return (w.astype(np.float32) * full).astype(np.float32)


def v4_hf_name(native):
    """Native -> HF name for DeepSeek V4 (deepseek-v4.md §3.1)."""
    m = re.match(r"^mtp\.layers\.(\d+)\.(.*)$", native)
    if m:
        k, rest = m.groups()
        inner = v4_hf_name("model.layers.%s.%s" % (k, rest))
        return re.sub(r"^layers\.%s\." % k, "mtp.%s." % k, inner) if inner.startswith("layers.") \
            else "mtp.%s.%s" % (k, rest.replace("hc_head.hc_", "hc_head_"))
    rules = [
        (r"^model\.embed_tokens\.(.*)", r"embed.\1"), (r"^model\.norm\.(.*)", r"norm.\1"),
        (r"^lm_head\.(.*)", r"head.\1"),
        (r"^model\.layers\.(\d+)\.input_layernorm\.(.*)", r"layers.\1.attn_norm.\2"),
        (r"^model\.layers\.(\d+)\.post_attention_layernorm\.(.*)", r"layers.\1.ffn_norm.\2"),
        (r"^model\.layers\.(\d+)\.self_attn\.sinks_param\.weight$", r"layers.\1.attn.attn_sink"),
        (r"^model\.layers\.(\d+)\.self_attn\.compressor\.indexer\.kv_norm\.(.*)", r"layers.\1.attn.indexer.compressor.norm.\2"),
        (r"^model\.layers\.(\d+)\.self_attn\.compressor\.indexer\.ape_param\.weight$", r"layers.\1.attn.indexer.compressor.ape"),
        (r"^model\.layers\.(\d+)\.self_attn\.compressor\.indexer\.(wgate|wkv)\.(.*)", r"layers.\1.attn.indexer.compressor.\2.\3"),
        (r"^model\.layers\.(\d+)\.self_attn\.compressor\.indexer\.(.*)", r"layers.\1.attn.indexer.\2"),
        (r"^model\.layers\.(\d+)\.self_attn\.compressor\.kv_norm\.(.*)", r"layers.\1.attn.compressor.norm.\2"),
        (r"^model\.layers\.(\d+)\.self_attn\.compressor\.ape_param\.weight$", r"layers.\1.attn.compressor.ape"),
        (r"^model\.layers\.(\d+)\.self_attn\.(.*)", r"layers.\1.attn.\2"),
        (r"^model\.layers\.(\d+)\.mlp\.gate\.e_score_correction_bias$", r"layers.\1.ffn.gate.bias"),
        (r"^model\.layers\.(\d+)\.mlp\.gate\.(.*)", r"layers.\1.ffn.gate.\2"),
        (r"^model\.layers\.(\d+)\.mlp\.shared_experts\.gate_proj\.(.*)", r"layers.\1.ffn.shared_experts.w1.\2"),
        (r"^model\.layers\.(\d+)\.mlp\.shared_experts\.up_proj\.(.*)", r"layers.\1.ffn.shared_experts.w3.\2"),
        (r"^model\.layers\.(\d+)\.mlp\.shared_experts\.down_proj\.(.*)", r"layers.\1.ffn.shared_experts.w2.\2"),
        (r"^model\.layers\.(\d+)\.attn_hc\.(.*)", r"layers.\1.hc_attn_\2"),
        (r"^model\.layers\.(\d+)\.ffn_hc\.(.*)", r"layers.\1.hc_ffn_\2"),
        (r"^model\.layers\.(\d+)\.hc_head\.hc_(.*)", r"layers.\1.hc_head_\2"),
        (r"^model\.hc_head\.hc_(.*)", r"hc_head_\1"),
        (r"^model\.layers\.(\d+)\.(.*)", r"layers.\1.\2"),
    ]
    for pat, rep in rules:
        if re.match(pat, native):
            return re.sub(pat, rep, native)
    return native


def hf_name(family, native):
    if family == "deepseek_v4":
        return v4_hf_name(native)
    if family == "gemma4_moe":
        return native.replace(".moe.gate.", ".router.")
    if family == "step3p5":
        return native.replace(".moe.gate.e_score_correction_bias", ".moe.router_bias")
    return native


def scales_of(family, key):
    base = key[: -len(".weight")] if key.endswith(".weight") else key
    return [key + "_scale_inv", base + ".scale"]


def expected_experts(family, src, native, dtype):
    m = re.match(r"^(.*)\.(mlp|moe)\.experts\.(gate_and_up_projs|down_projs)$", native)
    prefix, _, which = m.groups()
    if family == "gemma4_moe":
        hf_prefix = prefix  # model.language_model.layers.L
        if which == "gate_and_up_projs":
            return src.raw(hf_prefix + ".experts.gate_up_proj").astype(np.float32).transpose(0, 2, 1)
        down = src.raw(hf_prefix + ".experts.down_proj").astype(np.float32).transpose(0, 2, 1)
        scale = src.raw(hf_prefix + ".router.per_expert_scale").astype(np.float32)
        return down * scale[:, None, None]
    if family == "step3p5":
        if which == "gate_and_up_projs":
            g = src.raw(prefix + ".moe.gate_proj.weight").astype(np.float32).transpose(0, 2, 1)
            u = src.raw(prefix + ".moe.up_proj.weight").astype(np.float32).transpose(0, 2, 1)
            return np.concatenate([g, u], axis=-1)
        return src.raw(prefix + ".moe.down_proj.weight").astype(np.float32).transpose(0, 2, 1)
    if family == "deepseek_v4":
        hp = v4_hf_name(prefix + ".mlp.experts.x").rsplit(".mlp.experts.x", 1)[0]
        hp = re.sub(r"^layers\.(\d+)$", r"layers.\1", v4_hf_name(prefix + ".self_attn.x")[: -len(".attn.x")])
        names = (hp + ".ffn.experts.%d.w1.weight", hp + ".ffn.experts.%d.w3.weight", hp + ".ffn.experts.%d.w2.weight")
    else:
        names = (prefix + ".mlp.experts.%d.gate_proj.weight", prefix + ".mlp.experts.%d.up_proj.weight",
                 prefix + ".mlp.experts.%d.down_proj.weight")
    count = 0
    while src.has(names[0] % count):
        count += 1
    out = []
    for e in range(count):
        if which == "gate_and_up_projs":
            g = src.value(names[0] % e, scales_of(family, names[0] % e)).T
            u = src.value(names[1] % e, scales_of(family, names[1] % e)).T
            out.append(np.concatenate([g, u], axis=-1))
        else:
            out.append(src.value(names[2] % e, scales_of(family, names[2] % e)).T)
    return np.stack(out)


def main():
    family, hf_dir, native_dir = sys.argv[1:4]
    src = Source(hf_dir)
    dst_index, dst_dtypes = open_folder(native_dir)
    checked = 0
    for native in sorted(dst_index):
        got = load(dst_index[native])
        out_dtype = NP[dst_dtypes[native]]
        if re.search(r"\.experts\.(gate_and_up_projs|down_projs)$", native):
            want = expected_experts(family, src, native, out_dtype)
        else:
            hf = hf_name(family, native)
            if not src.has(hf):
                print("no HF source for", native, "(looked for", hf + ")")
                return 1
            raw = src.raw(hf)
            if np.issubdtype(raw.dtype, np.integer):
                want = raw
            else:
                want = src.value(hf, scales_of(family, hf))
        want = np.asarray(want).astype(out_dtype)
        if want.shape != got.shape or want.tobytes() != got.tobytes():
            diff = np.flatnonzero(want.view(np.uint8).ravel() != got.view(np.uint8).ravel()) if want.shape == got.shape else []
            print("MISMATCH", native, "shape", got.shape, "want", want.shape, "first differing byte", diff[:1])
            return 1
        checked += 1
    print("ok: %d native tensors bit-identical to the numpy reference" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
