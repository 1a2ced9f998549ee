# shellcheck shell=bash
# Environment for building, testing and serving Ajuste. Source it (bash), don't run it:
#
#   tools/ensure-tools.sh && source tools/env.sh
#
# tools/test.sh, tools/serve.sh and tools/ensure-tools.sh source it themselves. It only sets
# variables (nothing is installed or checked here), and keeps values you have already set.

# Where ensure-tools.sh installs tools that don't go to ~/.cargo/bin (npm's binaryen).
export AJUSTE_TOOLS_DIR="${AJUSTE_TOOLS_DIR:-$HOME/.cache/ajuste-tools}"

# The real wasm-opt: npm binaryen's (a node script: binaryen compiled to wasm).
export AJUSTE_WASM_OPT="${AJUSTE_WASM_OPT:-$AJUSTE_TOOLS_DIR/binaryen/node_modules/.bin/wasm-opt}"

# First on PATH: the `wasm-opt` trunk runs, which reuses an output made before for the same
# input (tools/wasm-opt-cache/wasm-opt); then cargo-installed tools (trunk, wasm-bindgen), then
# npm binaryen's folder.
_ajuste_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for _ajuste_dir in "$AJUSTE_TOOLS_DIR/binaryen/node_modules/.bin" "${CARGO_HOME:-$HOME/.cargo}/bin" "$_ajuste_root/tools/wasm-opt-cache"; do
  case ":$PATH:" in
    *":$_ajuste_dir:"*) ;;
    *) PATH="$_ajuste_dir:$PATH" ;;
  esac
done
unset _ajuste_dir _ajuste_root
export PATH

# One build cache outside the clone, shared by every clone, tests, trunk and the benchmarks.
# (trunk asks cargo for the target directory and keeps its own intermediates there; dist/ stays
# in the repository, next to Trunk.toml.)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/ajuste-target}"

# trunk would otherwise ask GitHub whether a newer trunk exists (unreachable here).
export TRUNK_SKIP_VERSION_CHECK="${TRUNK_SKIP_VERSION_CHECK:-true}"
