#!/usr/bin/env bash
# Makes the weights file the web page ships (www/efficientnet-lite0.safetensors, copied into dist/
# by index.html) from the PyTorch checkpoint, unless it already exists. Prints its path. It is f16
# with the largest matrices in int8 + per-channel scales (tools/quantize-weights.mjs; 5.5 MB
# instead of 9.4 MB, dequantised on load); a file from before the current choice of int8 tensors
# (its last projection still f16) is remade.
#
#   tools/web-weights.sh           # AJUSTE_PTH, or the checkpoint tools/fetch-pth.sh fetches
#   tools/web-weights.sh --force   # remake it
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=tools/env.sh
source "$ROOT/tools/env.sh"

out="www/efficientnet-lite0.safetensors"
# The int8 tensors' scales are named in the JSON header at the start of the file.
if [ -s "$out" ] && [ "${1:-}" != --force ] &&
  [[ "$(head -c 65536 "$out" | tr -c '[:print:]' ' ')" == *'"blocks.15.project.conv.weight.scale"'* ]]; then
  printf '%s\n' "$ROOT/$out"
  exit 0
fi
pth="${AJUSTE_PTH:-$("$ROOT/tools/fetch-pth.sh")}"
echo "[web-weights] converting $pth -> $out" >&2
f16="www/efficientnet-lite0.f16.part.safetensors" # written aside, so a failed run leaves no $out
tmp="www/efficientnet-lite0.part.safetensors"
cargo run --release --example convert_weights -- "$pth" "$f16" >&2
node tools/quantize-weights.mjs "$f16" "$tmp" >&2
rm -f "$f16"
mv "$tmp" "$out"
printf '%s\n' "$ROOT/$out"
