#!/usr/bin/env bash
# The one test command: tools, formatting, lints (native and wasm), native tests, the web build,
# and the browser tests. Run from anywhere:
#
#   tools/test.sh                  # everything (what CI runs)
#   tools/test.sh weights          # extra arguments go to `cargo test --release` (a filter, ...)
#   AJUSTE_SKIP_E2E=1 tools/test.sh
#
# Stages can be skipped for local iteration with AJUSTE_SKIP_<STAGE>=1, STAGE being one of
#   FMT, CLIPPY, CARGO_TEST, TRUNK (the e2e stage then tests the dist/ already there), E2E.
# Environment: CARGO_TARGET_DIR (default ~/.cache/ajuste-target, shared by all clones),
#   AJUSTE_PTH (the reference checkpoint; fetched with tools/fetch-pth.sh when unset),
#   AJUSTE_DIST (the app the browser tests load; default dist/). See tools/env.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

T0=$SECONDS
CURRENT=""
SUMMARY=()

stamp() { printf '%s +%ss' "$(date +%H:%M:%S)" "$((SECONDS - T0))"; }

# stage NAME SKIP_VAR COMMAND...: runs COMMAND as stage NAME unless $SKIP_VAR is set non-empty
# (and not 0), and logs when it starts and how long it took.
stage() {
  local name="$1" skip_var="$2"
  shift 2
  if [ -n "$skip_var" ] && [ -n "${!skip_var:-}" ] && [ "${!skip_var}" != 0 ]; then
    printf '\n=== [%s] %s: skipped (%s=%s)\n' "$(stamp)" "$name" "$skip_var" "${!skip_var}"
    SUMMARY+=("$(printf '%-14s skipped' "$name")")
    return 0
  fi
  printf '\n=== [%s] %s: %s\n' "$(stamp)" "$name" "$*"
  CURRENT="$name"
  local start=$SECONDS
  "$@"
  CURRENT=""
  printf '=== [%s] %s: ok in %ss\n' "$(stamp)" "$name" "$((SECONDS - start))"
  SUMMARY+=("$(printf '%-14s %5ss' "$name" "$((SECONDS - start))")")
}

finish() {
  local rc=$?
  printf '\n=== [%s] stage times:\n' "$(stamp)"
  if [ "${#SUMMARY[@]}" -gt 0 ]; then printf '    %s\n' "${SUMMARY[@]}"; fi
  if [ "$rc" -ne 0 ]; then
    printf '=== FAILED%s (exit %s) after %ss\n' "${CURRENT:+ in stage $CURRENT}" "$rc" "$((SECONDS - T0))"
  else
    printf '=== all stages passed in %ss\n' "$((SECONDS - T0))"
  fi
}
trap finish EXIT

fetch_weights() {
  if [ -z "${AJUSTE_PTH:-}" ]; then
    AJUSTE_PTH="$("$ROOT/tools/fetch-pth.sh")"
  fi
  [ -s "$AJUSTE_PTH" ] || { echo "AJUSTE_PTH=$AJUSTE_PTH is not a file" >&2; return 1; }
  export AJUSTE_PTH
  echo "AJUSTE_PTH=$AJUSTE_PTH"
}

clippy() {
  # The default members: the library, the CLI, the protocol, their tests and benchmarks.
  cargo clippy --release --all-targets -- -D warnings
  # The browser build: the library for wasm32, the page (ajuste-web) and its engine worker
  # (ajuste-worker).
  cargo clippy --release --target wasm32-unknown-unknown -p ajuste --lib -- -D warnings
  cargo clippy --release --target wasm32-unknown-unknown -p ajuste-web -p ajuste-worker -- -D warnings
}

web_build() {
  "$ROOT/tools/web-weights.sh" # www/efficientnet-lite0.safetensors, made if missing
  # trunk passes --offline to cargo: make sure every crate (wasm-only ones too) is downloaded.
  cargo fetch
  trunk build --release --offline
  du -ah dist | sort -h | tail -n 8 || true
}

stage tools "" "$ROOT/tools/ensure-tools.sh"
# shellcheck source=tools/env.sh
source "$ROOT/tools/env.sh"
echo "CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
stage weights "" fetch_weights
stage fmt AJUSTE_SKIP_FMT cargo fmt --all --check
stage clippy AJUSTE_SKIP_CLIPPY clippy
stage cargo-test AJUSTE_SKIP_CARGO_TEST cargo test --release "$@"
stage trunk AJUSTE_SKIP_TRUNK web_build
stage e2e AJUSTE_SKIP_E2E node --test tests/e2e/
