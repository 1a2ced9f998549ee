#!/usr/bin/env bash
# Makes the weights file the web page ships (www/efficientnet-lite0.safetensors, f16, copied into
# dist/ by index.html) from the PyTorch checkpoint, unless it already exists. Prints its path.
#
#   tools/web-weights.sh           # AJUSTE_PTH, or the checkpoint tools/fetch-pth.sh fetches
#   tools/web-weights.sh --force   # remake it
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=tools/env.sh
source "$ROOT/tools/env.sh"

out="www/efficientnet-lite0.safetensors"
if [ -s "$out" ] && [ "${1:-}" != --force ]; then
  printf '%s\n' "$ROOT/$out"
  exit 0
fi
pth="${AJUSTE_PTH:-$("$ROOT/tools/fetch-pth.sh")}"
echo "[web-weights] converting $pth -> $out" >&2
tmp="www/efficientnet-lite0.part.safetensors" # written aside, so a failed run leaves no $out
cargo run --release --example convert_weights -- "$pth" "$tmp" >&2
mv "$tmp" "$out"
printf '%s\n' "$ROOT/$out"
