#!/bin/sh
# Runs the CPU kernel benchmarks and prints each kernel's bytes-moved throughput as a ratio to
# memcpy with the same thread count, measured in the same run.
# Usage: [REPS=5] bench/run-kernels.sh [BUILD_DIR] [extra benchmark args...]
set -eu
build=${1:-build/dev}
[ $# -gt 0 ] && shift
bin="$build/bench/bench_kernels"
[ -x "$bin" ] || { echo "no $bin: build the bench_kernels target first" >&2; exit 1; }
json=$(mktemp)
trap 'rm -f "$json"' EXIT
# The machine's load goes with the figures: ratios only mean something against the same load.
echo "before: $(uptime)"
"$bin" --benchmark_repetitions=${REPS:-5} --benchmark_report_aggregates_only=true \
       --benchmark_format=json --benchmark_out="$json" --benchmark_out_format=json "$@" >/dev/null
python3 - "$json" <<'PY'
import json, sys
rows = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b.get("aggregate_name") == "median"]
get = {}
for b in rows:
    name, arg = b["run_name"].split("/")[0], int(b["run_name"].split("/")[1].split("/")[0])
    # Throughput over CPU time as well: on a loaded machine the wall clock is mostly waiting
    # for a core. Only meaningful with one thread (cpu_time counts the calling thread only).
    cpu = b["bytes_per_second"] * b["real_time"] / b["cpu_time"]
    get[(name, arg)] = (b["bytes_per_second"], int(b.get("threads", 0)), cpu)
print(f"{'kernel':<22}{'threads':>8}{'GB/s':>10}{'x memcpy':>10}{'x memcpy (CPU time)':>21}")
for (name, arg), (bps, t, cpu) in sorted(get.items(), key=lambda kv: (kv[0][0] != "BM_Memcpy", kv[0])):
    base, _, baseCpu = get[("BM_Memcpy", arg)]
    byCpu = f"{cpu / baseCpu:>21.2f}" if t == 1 else f"{'-':>21}"
    print(f"{name[3:]:<22}{t:>8}{bps / 1e9:>10.2f}{bps / base:>10.2f}{byCpu}")
PY
echo "after: $(uptime)"
