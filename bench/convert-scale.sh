#!/usr/bin/env bash
# End-to-end conversion at realistic tensor sizes: for each demo size (default "1g 2g 4g": a
# DeepSeek V3 FP8 demo of about 1, 2, 4 GB with real per-tensor shapes), in the same run:
#   ours      ckptscope-cli convert SRC DST --to hf        (FP8 -> BF16, fp8_cast_bf16.py's job)
#   copy      cp -r SRC X, then dd of the same output bytes with conv=fsync (the output fsync'd
#             once at its end, like ours: each output shard is fsync'd before its rename; the
#             copy of the input is not fsync'd, ours does not write one)
#   numpy     bench/reference_fp8_cast_bf16.py SRC DST     (what people use today; no fsync)
#   native    ckptscope-cli convert SRC DST --to native    (experts stacked and transposed; its
#             output is within 0.01% of the hf output's size, so the same copy baseline serves)
# wall, user+sys CPU and peak RSS from /usr/bin/time, medians of RUNS runs (default 3), ratios.
# NUMPY_SIZES limits the (slow) numpy runs to some sizes (default: all). Inputs stay in the page
# cache between runs (warm). Everything written is deleted after each size.
# usage: bench/convert-scale.sh WORKDIR [CLI]
set -euo pipefail
work=${1:?usage: $0 WORKDIR [CLI]}
here=$(cd "$(dirname "$0")" && pwd)
cli=${2:-$here/../build/bench/app/ckptscope-cli}
py=${PYTHON:-$here/../.venv/bin/python}
runs=${RUNS:-3}
sizes=${SIZES:-1g 2g 4g}
numpy_sizes=${NUMPY_SIZES:-$sizes}
mkdir -p "$work"
echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(uptime)"

# measure LABEL CMD...: appends "wall cpu rss_kb" to $work/LABEL.times
measure() {
    local label=$1; shift
    /usr/bin/time -o "$work/.t" -f "%e %U %S %M" "$@" >/dev/null 2>"$work/.err" || { cat "$work/.err"; exit 1; }
    awk -v l="$label" '{printf "%s %.3f %.3f %d\n", l, $1, $2 + $3, $4}' "$work/.t" >> "$work/times"
}
median() {  # median of column $2 for label $1
    awk -v l="$1" -v c="$2" '$1 == l {print $c}' "$work/times" | sort -g |
        awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]; else print "-"}'
}

for size in $sizes; do
    src=$work/src-$size
    rm -rf "$src" "$work"/out-* "$work"/copy-* "$work/times"
    "$cli" demo "$src" --family deepseek_v3 --size "$size" >/dev/null
    in_bytes=$(du -sb "$src" | cut -f1)
    cat "$src"/*.safetensors >/dev/null  # warm cache
    out_bytes=
    for run in $(seq "$runs"); do
        measure ours "$cli" convert "$src" "$work/out-ours" --to hf
        out_bytes=$(du -sb "$work/out-ours" | cut -f1)
        rm -rf "$work/out-ours"
        measure copy bash -c "cp -r '$src' '$work/copy-in' && dd if=/dev/zero of='$work/copy-out' bs=8M \
            count=$out_bytes iflag=count_bytes conv=fsync status=none"
        rm -rf "$work/copy-in" "$work/copy-out"
        if [[ " $numpy_sizes " == *" $size "* ]]; then
            measure numpy "$py" "$here/reference_fp8_cast_bf16.py" "$src" "$work/out-numpy"
            rm -rf "$work/out-numpy"
        fi
        measure native "$cli" convert "$src" "$work/out-native" --to native
        rm -rf "$work/out-native"
    done
    echo
    echo "== $size: input $in_bytes B, output (hf) $out_bytes B; $(uptime | sed 's/.*load/load/')"
    printf "%-8s %10s %10s %12s\n" job "wall s" "cpu s" "peak RSS MiB"
    for job in ours copy numpy native; do
        w=$(median $job 2); c=$(median $job 3); r=$(median $job 4)
        [[ $w == - ]] && continue
        printf "%-8s %10s %10s %12s\n" "$job" "$w" "$c" "$(awk -v r="$r" 'BEGIN {printf "%.0f", r / 1024}')"
    done
    ow=$(median ours 2); oc=$(median ours 3)
    awk -v o="$ow" -v c="$(median copy 2)" 'BEGIN {printf "ours / (cp + write) wall: %.2fx\n", o / c}'
    awk -v o="$(median native 2)" -v c="$(median copy 2)" 'BEGIN {printf "native / (cp + write) wall: %.2fx\n", o / c}'
    nw=$(median numpy 2)
    if [[ $nw != - ]]; then
        awk -v o="$ow" -v n="$nw" -v oc="$oc" -v nc="$(median numpy 3)" \
            'BEGIN {printf "numpy / ours: %.2fx wall, %.2fx cpu\n", n / o, nc / oc}'
    fi
    cp "$work/times" "$work/times-$size"
    rm -rf "$src"
done
