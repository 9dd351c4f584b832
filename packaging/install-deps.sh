#!/usr/bin/env bash
# Installs everything ckptscope needs to build, run and test on Debian 12 (bookworm).
# Idempotent: re-running it only checks. Run as root or with sudo available.
#   Debian packages: compiler, CMake/Ninja, Qt 6 (Widgets, Concurrent, Test), QCustomPlot (Qt 6),
#   nlohmann-json, Google Benchmark, Xvfb (screenshots), dpkg-dev (CPack .deb), the desktop-file,
#   AppStream and man page checkers of the packaging tests, Python venv,
#   clang 16 + its compiler-rt runtime (ASan, UBSan, libFuzzer: the `sanitize` preset; clang 14 cannot compile
#   C++20 lambdas that capture structured bindings, which core uses).
#   Python (in .venv at the repository root): safetensors, numpy, ml_dtypes for interop tests.
# The CUDA toolkit is optional and not installed here: with nvcc on PATH or in /usr/local/cuda
# the CUDA backend is built too.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git file dpkg-dev
  clang-16 libclang-rt-16-dev
  qt6-base-dev qt6-base-dev-tools libgl-dev
  libqcustomplot-dev libqcustomplot2.1-qt6
  nlohmann-json3-dev libbenchmark-dev
  xvfb xauth
  desktop-file-utils appstream groff-base
  python3 python3-venv python3-pip
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: Debian packages present"
fi

# Python references for the interop tests, kept out of the system Python (PEP 668).
VENV=.venv
if [ ! -x "$VENV/bin/python3" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python3" -c "import safetensors, numpy, ml_dtypes" 2>/dev/null; then
  "$VENV/bin/python3" -m pip install -q --disable-pip-version-check safetensors numpy ml_dtypes
fi
"$VENV/bin/python3" -c "import safetensors, numpy, ml_dtypes; print('install-deps: python', \
safetensors.__version__, numpy.__version__, ml_dtypes.__version__)"
