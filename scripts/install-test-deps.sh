#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when they are missing.
# As root it runs apt-get; otherwise it prints exactly what to install and fails.
set -euo pipefail

# package -> a file that proves it is installed
declare -A probe=(
  [python3-torch]=/usr/lib/python3/dist-packages/torch/__init__.py
  [python3-numpy]=/usr/lib/python3/dist-packages/numpy/__init__.py
  [libopenblas0-pthread]=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0
  [python3-onnx]=/usr/lib/python3/dist-packages/onnx/checker.py
  [python3-statsmodels]=/usr/lib/python3/dist-packages/statsmodels/tsa/vector_ar/var_model.py
  [chromium]=/usr/bin/chromium
  [r-cran-forecast]=/usr/lib/R/site-library/forecast/DESCRIPTION
  [r-cran-jsonlite]=/usr/lib/R/site-library/jsonlite/DESCRIPTION
)

missing=()
for pkg in "${!probe[@]}"; do
  [ -e "${probe[$pkg]}" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "recur tests need Debian packages that are not installed: ${missing[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "installing test dependencies: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
