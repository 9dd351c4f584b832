#!/usr/bin/env bash
# Writes the full-scale DeepSeek-V3 (163 shards, 91,991 tensors, 688.6 GB declared) and
# DeepSeek-V4-Flash-0731 (48 shards, 72,317 tensors) layouts as sparse files: real headers,
# index and config, data left as holes. A few MB on disk; for open/inspect/GUI timings.
# usage: bench/make-fullscale.sh DIR [CLI]   (CLI defaults to build/bench/app/ckptscope-cli)
set -euo pipefail
dir=${1:?usage: $0 DIR [CLI]}
cli=${2:-$(dirname "$0")/../build/bench/app/ckptscope-cli}
mkdir -p "$dir"
for family in deepseek_v3 deepseek_v4; do
    rm -rf "${dir:?}/$family"
    "$cli" demo "$dir/$family" --family "$family" --size full-header
done
du -sh --apparent-size "$dir"/* | sed 's/^/apparent: /'
du -sh "$dir"/* | sed 's/^/on disk:  /'
