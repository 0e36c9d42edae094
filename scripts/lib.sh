# Shared set-up for the scripts in this folder. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
# The debug site (served from disk with --site-root) and the release site (embedded into
# release builds of the server by build.rs, through SANDBOX_SITE_DIR).
SITE="$CARGO_TARGET_DIR/site"
RELEASE_SITE="$CARGO_TARGET_DIR/site-release"
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

# A throwaway PostgreSQL server for the tests: Debian's postgresql (installed when missing), a
# new cluster in a temporary folder owned by the postgres account, on a free loopback port, with
# no password (trust) and no fsync (it is thrown away). Exports TEST_POSTGRES_URL; stop it with
# stop_postgres.
PG_DIR=""
PG_BIN=""
start_postgres() {
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    say "installing Debian's postgresql"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  local as_pg=()
  [ "$(id -un)" = postgres ] || as_pg=(runuser -u postgres --)
  [ "$(id -u)" -eq 0 ] || as_pg=(sudo -u postgres)
  PG_DIR="$(mktemp -d)"
  chmod 755 "$PG_DIR"
  chown postgres "$PG_DIR" 2>/dev/null || true
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  say "starting a throwaway PostgreSQL on 127.0.0.1:$port"
  "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off -c max_connections=300" start >/dev/null
  export TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port"
}

stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  local as_pg=()
  [ "$(id -un)" = postgres ] || as_pg=(runuser -u postgres --)
  [ "$(id -u)" -eq 0 ] || as_pg=(sudo -u postgres)
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}

# Builds the hydration bundle and assembles the site: <dir>/pkg/<name>.{js,_bg.wasm,css}.
# $1: debug (into $SITE, precompressed for --site-root) or release (into $RELEASE_SITE, which
# the release server embeds and compresses itself).
build_site() {
  local mode="$1" profile_flag="" profile_dir="debug" strip="" site="$SITE"
  if [ "$mode" = release ]; then
    site="$RELEASE_SITE"
    profile_flag="--profile wasm-release"
    profile_dir="wasm-release"
    # The name section is for debuggers; without it the bundle is less than half the size.
    strip="--remove-name-section --remove-producers-section"
  fi
  say "building the wasm bundle ($mode)"
  # shellcheck disable=SC2086
  cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate \
    --target-dir "$CARGO_TARGET_DIR/front" $profile_flag
  # Assembled beside the old site and swapped in whole, so a server reading the old one never
  # sees a half-written bundle.
  local next="$site.next"
  rm -rf "$next"
  mkdir -p "$next/pkg"
  # shellcheck disable=SC2086
  wasm-bindgen --target web --no-typescript $strip --out-dir "$next/pkg" --out-name "$OUTPUT_NAME" \
    "$CARGO_TARGET_DIR/front/wasm32-unknown-unknown/$profile_dir/app.wasm"
  cp "$ROOT/style/main.css" "$next/pkg/$OUTPUT_NAME.css"
  cp -r "$ROOT/public/." "$next/"
  if [ "$mode" = debug ]; then
    gzip -kf9 "$next/pkg/${OUTPUT_NAME}_bg.wasm" "$next/pkg/$OUTPUT_NAME.js" "$next/pkg/$OUTPUT_NAME.css"
  fi
  # Only replace what changed, so the server's build script sees no change when there is none.
  mkdir -p "$site"
  if ! diff -rq "$next" "$site" >/dev/null 2>&1; then
    rm -rf "$site"
    mv "$next" "$site"
  else
    rm -rf "$next"
  fi
}

# Builds the release server with the release site embedded in it.
build_release_server() {
  build_site release
  say "building the server (release, site embedded)"
  SANDBOX_SITE_DIR="$RELEASE_SITE" cargo build --release --bin oauth-sandbox
}
