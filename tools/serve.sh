#!/usr/bin/env bash
# The one build-and-serve command: installs missing tools, then builds the page in release mode and
# serves it at http://127.0.0.1:8080/ (address and port from Trunk.toml), rebuilding on changes.
#
#   tools/serve.sh                 # extra arguments go to `trunk serve` (e.g. --port 9000)
#
# Browsers give http://127.0.0.1 WebGPU (a secure context); Chrome/Edge 113+ have it on by default,
# headless Linux Chromium needs --enable-unsafe-webgpu.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/tools/ensure-tools.sh"
# shellcheck source=tools/env.sh
source "$ROOT/tools/env.sh"

"$ROOT/tools/web-weights.sh" # www/efficientnet-lite0.safetensors, made if missing
# trunk passes --offline to cargo: make sure every crate (wasm-only ones too) is downloaded.
cargo fetch
exec trunk serve --release --offline "$@"
