# Shared set-up for the scripts in this folder. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SITE="$CARGO_TARGET_DIR/site"
OUTPUT_NAME=oauth_sandbox

say() { printf '\n==> %s\n' "$*" >&2; }

# The Rust side: the wasm target and the wasm-bindgen CLI at exactly the version in Cargo.lock.
ensure_rust_tools() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  local want
  want="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")"
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

# The browser side: Debian's Chromium and the end2end npm packages.
ensure_browser_tools() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ]; then
    say "installing the end2end npm packages"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund)
  fi
}

# Builds the hydration bundle and assembles the site: $SITE/pkg/<name>.{js,_bg.wasm,css}.
# $1: debug or release.
build_site() {
  local mode="$1" profile_flag="" profile_dir="debug" strip=""
  if [ "$mode" = release ]; then
    profile_flag="--profile wasm-release"
    profile_dir="wasm-release"
    # The name section is for debuggers; without it the bundle is less than half the size.
    strip="--remove-name-section --remove-producers-section"
  fi
  say "building the wasm bundle ($mode)"
  # shellcheck disable=SC2086
  cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
    --target-dir "$CARGO_TARGET_DIR/front" $profile_flag
  rm -rf "$SITE"
  mkdir -p "$SITE/pkg"
  # shellcheck disable=SC2086
  wasm-bindgen --target web --no-typescript $strip --out-dir "$SITE/pkg" --out-name "$OUTPUT_NAME" \
    "$CARGO_TARGET_DIR/front/wasm32-unknown-unknown/$profile_dir/app.wasm"
  cp "$ROOT/style/main.css" "$SITE/pkg/$OUTPUT_NAME.css"
  cp -r "$ROOT/public/." "$SITE/"
  if command -v brotli >/dev/null 2>&1; then
    brotli -f -q 11 "$SITE/pkg/${OUTPUT_NAME}_bg.wasm" "$SITE/pkg/$OUTPUT_NAME.js" "$SITE/pkg/$OUTPUT_NAME.css"
  fi
  gzip -kf9 "$SITE/pkg/${OUTPUT_NAME}_bg.wasm" "$SITE/pkg/$OUTPUT_NAME.js" "$SITE/pkg/$OUTPUT_NAME.css"
}
