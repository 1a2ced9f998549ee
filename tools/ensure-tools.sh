#!/usr/bin/env bash
# Installs what building, testing and serving Ajuste needs, each only if missing or at the wrong
# version (a second run takes a second or two):
#   - rustup target wasm32-unknown-unknown, components rustfmt and clippy;
#   - trunk 0.21.14 (cargo install; ~16 min the first time on 2 cores);
#   - wasm-bindgen CLI at exactly Cargo.lock's wasm-bindgen version (cargo install; ~5 min);
#   - wasm-opt from npm binaryen@132.0.0, under $AJUSTE_TOOLS_DIR (default ~/.cache/ajuste-tools);
#   - Debian packages chromium and ffmpeg (and node/npm if absent);
#   - playwright-core and axe-core for the browser tests (npm ci in tests/e2e/, pinned by its package-lock.json).
# It also checks that Trunk.toml's [tools] pins agree with what it installs.
#
# Usage:  tools/ensure-tools.sh && source tools/env.sh
# (a child process can't change your PATH: tools/env.sh puts ~/.cargo/bin and wasm-opt on it.)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=tools/env.sh
source "$ROOT/tools/env.sh"

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0                 # npm package; Trunk.toml: wasm_opt = "version_132"
WASM_OPT_PIN="version_${BINARYEN_VERSION%%.*}"

log() { printf '[ensure-tools] %s\n' "$*" >&2; }
die() { printf '[ensure-tools] error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root (sudo only when not root already).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Waits (up to 30 min) while another `cargo install $1` runs, e.g. one started by hand in the
# background, rather than building the same tool twice at once on a small machine.
wait_for_other_install() {
  local waited=0
  while pgrep -f "cargo install $1( |\$)" >/dev/null 2>&1; do
    [ "$waited" -lt 1800 ] || die "another \`cargo install $1\` is still running after 30 min"
    [ "$waited" -gt 0 ] || log "another \`cargo install $1\` is running: waiting for it to finish"
    sleep 10
    waited=$((waited + 10))
  done
}

# Prints the version of package $1 in Cargo.lock.
cargo_lock_version() {
  awk -v name="$1" '
    $0 == "[[package]]" { in_pkg = 0 }
    $0 == "name = \"" name "\"" { in_pkg = 1; next }
    in_pkg && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' Cargo.lock
}

# Prints the string value of key $1 in Trunk.toml (first match), or nothing.
trunk_toml_value() {
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\([^\"]*\)\".*/\1/p" Trunk.toml | head -n 1
}

# Prints the second word of `$1 --version` ("trunk 0.21.14" -> 0.21.14), or nothing.
tool_version() {
  command -v "$1" >/dev/null 2>&1 || return 0
  "$1" --version 2>/dev/null | awk 'NR == 1 { print $2 }' || true
}

# --- Rust toolchain --------------------------------------------------------------------------
command -v rustup >/dev/null 2>&1 || die "rustup not found (install Rust with rustup first)"
installed_targets="$(rustup target list --installed)"
if ! grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  log "adding rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
installed_components="$(rustup component list --installed)"
for component in rustfmt clippy; do
  if ! grep -q "^$component" <<<"$installed_components"; then
    log "adding rustup component $component"
    rustup component add "$component"
  fi
done

# --- Debian packages ---------------------------------------------------------------------------
apt_missing=()
[ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] || apt_missing+=(chromium)
command -v ffmpeg >/dev/null 2>&1 || apt_missing+=(ffmpeg)
command -v node >/dev/null 2>&1 || apt_missing+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_missing+=(npm)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${apt_missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_missing[@]}"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node.js >= 20 needed for the browser tests (found $(node --version))"

# --- trunk ---------------------------------------------------------------------------------------
[ "$(tool_version trunk)" = "$TRUNK_VERSION" ] || wait_for_other_install trunk
if [ "$(tool_version trunk)" != "$TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (found: $(tool_version trunk || true); takes a while)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# --- wasm-bindgen CLI, same version as the crate ------------------------------------------------
[ -f Cargo.lock ] || die "no Cargo.lock in $ROOT (run \`cargo generate-lockfile\`)"
WASM_BINDGEN_VERSION="$(cargo_lock_version wasm-bindgen)"
[ -n "$WASM_BINDGEN_VERSION" ] || die "no wasm-bindgen package in Cargo.lock"
if [ -f Trunk.toml ]; then
  pinned="$(trunk_toml_value wasm_bindgen)"
  [ "$pinned" = "$WASM_BINDGEN_VERSION" ] ||
    die "Trunk.toml pins wasm_bindgen = \"$pinned\" but Cargo.lock has wasm-bindgen $WASM_BINDGEN_VERSION: make them equal"
  pinned="$(trunk_toml_value wasm_opt)"
  [ "$pinned" = "$WASM_OPT_PIN" ] ||
    die "Trunk.toml pins wasm_opt = \"$pinned\" but this script installs binaryen $BINARYEN_VERSION ($WASM_OPT_PIN)"
fi
[ "$(tool_version wasm-bindgen)" = "$WASM_BINDGEN_VERSION" ] || wait_for_other_install wasm-bindgen-cli
if [ "$(tool_version wasm-bindgen)" != "$WASM_BINDGEN_VERSION" ]; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (found: $(tool_version wasm-bindgen || true))"
  # No --locked: its lock file names a webpki-roots version that crates.io no longer has.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# --- wasm-opt (npm binaryen) ----------------------------------------------------------------------
binaryen_dir="$AJUSTE_TOOLS_DIR/binaryen"
wasm_opt_ok() {
  local out
  out="$("$binaryen_dir/node_modules/.bin/wasm-opt" --version 2>/dev/null || true)"
  [[ "$out" == *"($WASM_OPT_PIN)"* ]]
}
if ! wasm_opt_ok; then
  log "installing npm binaryen@$BINARYEN_VERSION into $binaryen_dir"
  mkdir -p "$binaryen_dir"
  npm install --prefix "$binaryen_dir" --no-audit --no-fund --no-save --loglevel=error \
    "binaryen@$BINARYEN_VERSION" >&2
  wasm_opt_ok || die "wasm-opt from npm binaryen@$BINARYEN_VERSION does not report $WASM_OPT_PIN"
fi

# --- playwright-core and axe-core for tests/e2e --------------------------------------------------
e2e="$ROOT/tests/e2e"
if [ -f "$e2e/package-lock.json" ]; then
  for package in playwright-core axe-core; do
    wanted="$(node -p 'require(process.argv[1]).packages["node_modules/" + process.argv[2]]?.version ?? ""' \
      "$e2e/package-lock.json" "$package")"
    have="$(node -p 'try { require(process.argv[1]).version } catch { "" }' \
      "$e2e/node_modules/$package/package.json" 2>/dev/null || true)"
    if [ -n "$wanted" ] && [ "$have" != "$wanted" ]; then
      log "installing the browser tests' packages in tests/e2e (npm ci; never \`playwright install\`)"
      (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error >&2)
      break
    fi
  done
fi

# --- what trunk will find on PATH ---------------------------------------------------------------
for tool in trunk wasm-bindgen wasm-opt; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH after installing it"
done
[ "$(tool_version wasm-bindgen)" = "$WASM_BINDGEN_VERSION" ] ||
  die "\`wasm-bindgen\` on PATH ($(command -v wasm-bindgen)) reports $(tool_version wasm-bindgen), not $WASM_BINDGEN_VERSION"
[[ "$(wasm-opt --version 2>/dev/null || true)" == *"($WASM_OPT_PIN)"* ]] ||
  die "\`wasm-opt\` on PATH ($(command -v wasm-opt)) is not $WASM_OPT_PIN"
log "ok: trunk $(tool_version trunk), wasm-bindgen $WASM_BINDGEN_VERSION, wasm-opt $WASM_OPT_PIN, node $(node --version), $(ffmpeg -version | awk 'NR == 1 { print $1, $3 }')"
