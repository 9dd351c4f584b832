#!/usr/bin/env bash
# Starts ckptscope under Xvfb on the demo checkpoint of each family and saves PNGs of the main
# views (values histogram, scale grid, scales histogram, filtered tree, mapping preview, diff,
# verify) into OUT_DIR. The diff page compares the demo with a perturbed copy of it (made with
# ckptscope-cli demo + tests/perturb_checkpoint.py) so its table and histogram have content.
#
#   tests/screenshots.sh [OUT_DIR]          (default: build/screenshots)
#   CKPTSCOPE=path/to/ckptscope CKPTSCOPE_CLI=path/to/ckptscope-cli tests/screenshots.sh
#
# The app does the capturing itself (MainWindow's CKPT_SCREENSHOT_DIR hook grabs its own
# widgets once the statistics are in), so no window manager or screen grabber is needed; Xvfb
# only provides a real X display for the xcb platform. Demo checkpoints are generated into a
# temporary XDG data folder, so the user's own demo folder is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-build/screenshots}
bin=${CKPTSCOPE:-}
if [[ -z "$bin" ]]; then
  for candidate in build/dev/app/ckptscope build/ci/app/ckptscope build/release/app/ckptscope; do
    [[ -x "$candidate" ]] && { bin=$candidate; break; }
  done
fi
[[ -n "$bin" && -x "$bin" ]] || { echo "ckptscope binary not found; build it or set CKPTSCOPE" >&2; exit 1; }
cli=${CKPTSCOPE_CLI:-$(dirname "$bin")/ckptscope-cli}
[[ -x "$cli" ]] || { echo "ckptscope-cli not found beside $bin; build it or set CKPTSCOPE_CLI" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "xvfb-run is not installed" >&2; exit 1; }

mkdir -p "$out"
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

status=0
for family in deepseek_v3 deepseek_v4 gemma4_moe step3p5; do
  echo "== $family"
  diff_b="$data/diff-b-$family"
  "$cli" demo "$diff_b" --family "$family" --size small >/dev/null
  python3 tests/perturb_checkpoint.py "$diff_b"
  if ! CKPT_SCREENSHOT_DIR="$out" CKPT_SCREENSHOT_PREFIX="$family" CKPT_SCREENSHOT_DIFF_B="$diff_b" \
       XDG_DATA_HOME="$data" \
       XDG_CONFIG_HOME="$data/config" QT_QPA_PLATFORM=xcb \
       timeout 300 xvfb-run -a -s "-screen 0 1600x1000x24" "$bin" --demo "$family"; then
    echo "   failed: see $out/$family-error.png if it exists" >&2
    status=1
  fi
done
ls -l "$out"/*.png
exit $status
