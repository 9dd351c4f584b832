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
    get[(name, arg)] = (b["bytes_per_second"], int(b.get("threads", 0)))
print(f"{'kernel':<22}{'threads':>8}{'GB/s':>10}{'x memcpy':>10}")
for (name, arg), (bps, t) in sorted(get.items(), key=lambda kv: (kv[0][0] != "BM_Memcpy", kv[0])):
    base = get[("BM_Memcpy", arg)][0]
    print(f"{name[3:]:<22}{t:>8}{bps / 1e9:>10.2f}{bps / base:>10.2f}")
PY
echo "after: $(uptime)"
