#!/usr/bin/env bash
# Open time of the full-scale layouts (bench/make-fullscale.sh), ckptscope vs Python's
# safetensors.safe_open, in the same run, everything pinned to one core (taskset -c 0) and with
# a warm page cache (each command runs once before it is timed):
#   inspect-json   ckptscope-cli inspect DIR --json >/dev/null   (whole process, output included)
#   inspect        ckptscope-cli inspect DIR >/dev/null          (the text table)
#   open           bench_open: Checkpoint::open in-process (headers, index, sort, quant pairing)
#   safe_open      bench/open_time_safetensors.py: safe_open per shard, keys, dtype, shape
#   gui-tree       bench_gui_open: MainWindow (offscreen) from "open DIR" to the painted tree,
#                  and the UI thread's longest stall meanwhile (only in builds with the GUI)
# Medians of RUNS runs (default 7): wall, and CPU (user+sys) which the other jobs on a shared
# machine disturb less. usage: bench/open-time.sh FULLSCALE_DIR [BUILD_DIR]
set -euo pipefail
dir=${1:?usage: $0 FULLSCALE_DIR [BUILD_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
build=${2:-$here/../build/bench}
py=${PYTHON:-$here/../.venv/bin/python}
runs=${RUNS:-7}
pin="taskset -c 0"
echo "machine: $(nproc) cpus; $(uptime)"

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
# whole LABEL CMD...: median wall and user+sys of RUNS whole-process runs
whole() {
    local label=$1; shift
    "$@" >/dev/null
    local t; t=$(mktemp)
    for _ in $(seq "$runs"); do /usr/bin/time -a -o "$t" -f "%e %U %S" "$@" >/dev/null; done
    printf "%-14s %8s %8s\n" "$label" "$(awk '{print $1}' "$t" | median)" "$(awk '{print $2 + $3}' "$t" | median)"
    rm -f "$t"
}

for family in "$dir"/*/; do
    family=${family%/}
    echo
    echo "== $(basename "$family"): $(ls "$family"/*.safetensors | wc -l) shards; $(uptime | sed 's/.*load/load/')"
    printf "%-14s %8s %8s\n" job "wall s" "cpu s"
    whole inspect-json $pin "$build/app/ckptscope-cli" inspect "$family" --json
    whole inspect $pin "$build/app/ckptscope-cli" inspect "$family"
    $pin "$build/bench/bench_open" "$family" 1 1 >/dev/null
    ours=$($pin "$build/bench/bench_open" "$family" "$runs" 1 | tail -1)
    $pin "$py" "$here/open_time_safetensors.py" "$family" 1 >/dev/null
    theirs=$($pin "$py" "$here/open_time_safetensors.py" "$family" "$runs" | tail -1)
    printf "%-14s %8s %8s\n" open "$(awk '{print $2}' <<<"$ours")" "$(awk '{print $5}' <<<"$ours")"
    printf "%-14s %8s %8s\n" safe_open "$(awk '{print $2}' <<<"$theirs")" "$(awk '{print $5}' <<<"$theirs")"
    if [[ -x $build/bench/bench_gui_open ]]; then
        $pin "$build/bench/bench_gui_open" "$family" 1 >/dev/null 2>&1
        gui=$($pin "$build/bench/bench_gui_open" "$family" "$runs" 2>/dev/null | tail -1)
        printf "%-14s %8s %8s   (longest UI stall %s s)\n" gui-tree "$(awk '{print $2}' <<<"$gui")" \
            "$(awk '{print $5}' <<<"$gui")" "$(awk '{print $11}' <<<"$gui")"
    fi
    awk -v o="$ours" -v t="$theirs" 'BEGIN {
        split(o, a, " "); split(t, b, " ");
        printf "safe_open / open: %.2fx wall, %.2fx cpu\n", b[2] / a[2], b[5] / a[5] }'
done
