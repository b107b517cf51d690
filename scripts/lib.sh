# shellcheck shell=bash
# Shared helpers for the scripts in this folder (sourced, not run).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Installs the front-end packages when missing or out of date, and builds web/dist.
build_front_end() {
  cd "$ROOT"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
  if [ ! -f web/dist/agio.css ] || [ -n "$(find web/scss web/static web/build.mjs web/icons.txt package-lock.json -newer web/dist/agio.css 2>/dev/null | head -n 1)" ]; then
    log "building the front end (npm run build)"
    npm run --silent build
  fi
}

# The folder holding PostgreSQL's initdb and pg_ctl: AGIO_PG_BINDIR, or else the newest
# /usr/lib/postgresql/*/bin (Debian's postgresql package); empty when there is none.
pg_bindir() {
  if [ -n "${AGIO_PG_BINDIR:-}" ]; then
    echo "$AGIO_PG_BINDIR"
  else
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true
  fi
}

# Starts a throwaway PostgreSQL cluster (initdb + pg_ctl of pg_bindir on a temp folder and a
# free port) and exports AGIO_TEST_PG_URL; stop_throwaway_postgres stops it.
start_throwaway_postgres() {
  local bin
  bin="$(pg_bindir)"
  if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
    echo "PostgreSQL's initdb and pg_ctl are not in '${bin:-/usr/lib/postgresql/*/bin}':" \
      "apt-get install postgresql, or set AGIO_PG_BINDIR to the folder holding them" >&2
    return 1
  fi
  PG_DIR="$(mktemp -d /tmp/agio-pg.XXXXXX)"
  PG_PORT="$(free_port)"
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  # Tests trade durability for speed; AGIO_PG_DURABLE=1 keeps PostgreSQL's defaults (benchmarks of writes).
  local fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${AGIO_PG_DURABLE:-}" != 1 ] || fast=""
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 $fast -c max_connections=400" \
    start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  export AGIO_TEST_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate stop)
  log "throwaway PostgreSQL on port $PG_PORT ($PG_DIR)"
}

stop_throwaway_postgres() {
  if [ -n "${PG_DIR:-}" ]; then
    "${PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
}

# Waits until URL answers 200, at most $2 seconds.
wait_for() {
  local url="$1" seconds="${2:-60}" i
  for ((i = 0; i < seconds * 10; i++)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for $url" >&2
  return 1
}

# A Python with the test tools from PyPI (aiosmtpd: a real SMTP server on loopback; trustme: a
# throwaway certificate authority for its TLS; pyshacl; schemathesis, the OpenAPI fuzzer;
# prometheus-client, whose OpenMetrics parser reads /metrics), in a
# virtual environment under target/ so that nothing is installed system-wide. Exports
# AGIO_TEST_PYTHON for the Rust tests.
ensure_test_python() {
  local venv="$ROOT/target/test-python"
  if ! "$venv/bin/python" -c 'import aiosmtpd, trustme, graphql, pyshacl, schemathesis, prometheus_client' 2>/dev/null; then
    log "installing the Python test tools (aiosmtpd, trustme, graphql-core, pyshacl, schemathesis, prometheus-client) in $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check aiosmtpd==1.4.6 trustme==1.2.1 graphql-core==3.2.6 \
      pyshacl==0.40.1 schemathesis==4.32.5 prometheus-client==0.21.1
  fi
  export AGIO_TEST_PYTHON="$venv/bin/python"
}

# Starts the test OpenID provider (tests/oidc/provider.mjs, npm's oidc-provider) for one
# redirect URI, installing its packages if missing; sets OIDC_ISSUER and OIDC_PID.
start_oidc_provider() {
  local redirect="$1" work="$2" issuer=""
  [ -d "$ROOT/tests/oidc/node_modules" ] || npm ci --prefix "$ROOT/tests/oidc" --no-audit --no-fund --silent
  node "$ROOT/tests/oidc/provider.mjs" --port 0 --client-id agio --client-secret agio-test-secret \
    --redirect-uri "$redirect" >"$work/oidc.out" 2>"$work/oidc.err" &
  OIDC_PID=$!
  for _ in $(seq 300); do
    issuer="$(sed -n 's/^oidc-provider listening on //p' "$work/oidc.out")"
    [ -n "$issuer" ] && break
    sleep 0.1
  done
  [ -n "$issuer" ] || { cat "$work/oidc.err" >&2; return 1; }
  OIDC_ISSUER="$issuer"
}

# Checks, in seconds and before anything is built, every program that `scripts/$1` (test or
# run) uses. As root on Debian it installs the missing packages with apt-get; otherwise, or when
# a missing piece is not a package to install (AGIO_CHROMIUM or AGIO_PG_BINDIR pointing at the
# wrong place, a Chromium that does not start, the Rust toolchain, a Node.js too old), it names
# each missing piece with the command that provides it and returns 2.
check_prerequisites() {
  local mode="$1"
  log "checking what scripts/$mode needs"
  find_missing_prerequisites "$mode"
  if [ "${#MISSING[@]}" -gt 0 ] && [ "$MISSING_BY_HAND" = 0 ] && [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
    log "installing ${PACKAGES[*]} (apt-get, as root on Debian)"
    # LibreOffice without what it recommends (Java, help, themes): Calc is all the tests open.
    local lean=() rest=() p
    for p in "${PACKAGES[@]}"; do
      if [ "$p" = libreoffice-calc-nogui ]; then lean+=("$p"); else rest+=("$p"); fi
    done
    {
      apt-get update -qq &&
        { [ "${#rest[@]}" = 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${rest[@]}" >/dev/null; } &&
        { [ "${#lean[@]}" = 0 ] ||
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${lean[@]}" >/dev/null; }
    } || true
    find_missing_prerequisites "$mode"
  fi
  if [ "${#MISSING[@]}" -gt 0 ]; then
    {
      echo "scripts/$mode cannot start; missing:"
      printf '  - %s\n' "${MISSING[@]}"
      [ "${#PACKAGES[@]}" -lt 2 ] || echo "Install the packages at once: $(as_root)apt-get install ${PACKAGES[*]}"
    } >&2
    return 2
  fi
  local found
  found="$(printf '%s, ' "${FOUND[@]}")"
  echo "    found: ${found%, }" >&2
}

# Sets MISSING (each missing piece, with the command that provides it), PACKAGES (the Debian
# packages among those commands), MISSING_BY_HAND (1 if some piece is not a package to
# install) and FOUND (what is there).
find_missing_prerequisites() {
  local mode="$1" v min chromium pg status
  local package_files=("$ROOT/package.json")
  [ "$mode" = run ] || package_files+=("$ROOT/tests/oidc/package.json")
  MISSING=() PACKAGES=() MISSING_BY_HAND=0 FOUND=()

  if ! command -v node >/dev/null; then
    missing_package "Node.js" nodejs
  else
    v="$(node --version)"
    v="${v#v}"
    min="$(engine_min node 18 "${package_files[@]}")"
    if version_ge "$v" "$min"; then FOUND+=("node $v"); else
      missing_by_hand "Node.js $min or newer (package.json engines; this one is $v): https://nodejs.org/en/download"
    fi
  fi
  if ! command -v npm >/dev/null; then
    missing_package "npm" npm
  else
    v="$(npm --version)"
    min="$(engine_min npm 7 "${package_files[@]}")" # 7 reads package-lock.json version 3
    if version_ge "$v" "$min"; then FOUND+=("npm $v"); else
      missing_by_hand "npm $min or newer (this one is $v): npm install -g npm@latest"
    fi
  fi
  if ! command -v cargo >/dev/null; then
    missing_by_hand "cargo, the Rust toolchain: curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh"
  elif [ "$mode" = test ] && ! cargo fmt --version >/dev/null 2>&1; then
    missing_by_hand "rustfmt, for cargo fmt --check: rustup component add rustfmt"
  else
    FOUND+=(cargo)
  fi
  [ "$mode" = test ] || return 0 # the rest only scripts/test uses

  # The Chromium the browser tests launch (tests/browser/support/common.mjs).
  chromium="${AGIO_CHROMIUM:-/usr/bin/chromium}"
  if [ ! -e "$chromium" ] && [ -z "${AGIO_CHROMIUM:-}" ]; then
    missing_package "Chromium ($chromium), for the browser tests" chromium
  elif [ ! -e "$chromium" ]; then
    missing_by_hand "Chromium: AGIO_CHROMIUM=$chromium does not exist; point it at a Chromium, or unset it to use Debian's (apt-get install chromium)"
  elif v="$(timeout -k 5 30 "$chromium" --version 2>&1)"; then
    FOUND+=("${v##*$'\n'}")
  else
    status=$? v="${v##*$'\n'}" # its last line says why
    [ "$status" != 124 ] || v="no answer in 30 s"
    v="exit status $status${v:+: $v}"
    if [ -n "${AGIO_CHROMIUM:-}" ]; then
      missing_by_hand "Chromium: AGIO_CHROMIUM=$chromium does not start ($v); point it at a working Chromium, or unset it to use Debian's (apt-get install chromium)"
    else
      missing_by_hand "Chromium: $chromium does not start ($v); reinstall it: $(as_root)apt-get install --reinstall chromium"
    fi
  fi

  pg="$(pg_bindir)"
  if [ -x "$pg/initdb" ] && [ -x "$pg/pg_ctl" ]; then
    FOUND+=("initdb and pg_ctl in $pg")
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      missing_package "a user 'postgres' (as root, scripts/test runs PostgreSQL as it)" postgresql-common
    fi
  elif [ -n "${AGIO_PG_BINDIR:-}" ]; then
    missing_by_hand "PostgreSQL server: AGIO_PG_BINDIR=$AGIO_PG_BINDIR has no initdb and pg_ctl; point it at the folder holding them, or unset it to use Debian's (apt-get install postgresql)"
  else
    missing_package "PostgreSQL server (initdb, pg_ctl in /usr/lib/postgresql/*/bin)" postgresql
  fi
  if command -v psql >/dev/null; then FOUND+=(psql); else missing_package "psql" postgresql-client; fi
  if ! command -v python3 >/dev/null; then
    missing_package "Python 3 with venv" python3 python3-venv
  elif ! python3 -c 'import ensurepip' 2>/dev/null; then
    missing_package "Python's venv (python3 -m venv)" python3-venv
  else
    FOUND+=("python3 with venv")
  fi
  if command -v curl >/dev/null; then FOUND+=(curl); else missing_package "curl" curl; fi
  # deploy/agio.service is checked by systemd's own verifier (crates/agio/tests/cli.rs).
  if command -v systemd-analyze >/dev/null; then FOUND+=(systemd-analyze); else
    missing_package "systemd-analyze, to verify deploy/agio.service" systemd
  fi
  # scripts/cluster puts nginx in front of several instances (tests/cluster).
  if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then FOUND+=(nginx); else
    missing_package "nginx, for scripts/cluster and its tests" nginx
  fi
  # The monitoring spreadsheet is opened by LibreOffice in the tests (soffice --convert-to csv).
  if command -v soffice >/dev/null; then FOUND+=(LibreOffice); else
    missing_package "LibreOffice Calc, headless" libreoffice-calc-nogui
  fi
}

missing_package() { MISSING+=("$1: $(as_root)apt-get install ${*:2}"); PACKAGES+=("${@:2}"); }
missing_by_hand() { MISSING+=("$1"); MISSING_BY_HAND=1; }
as_root() { [ "$(id -u)" = 0 ] || printf 'sudo '; }

# Whether version $1 is at least $2 (dotted numbers).
version_ge() { [ "$(printf '%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }

# The highest minimum that the "engines" of the package.json files $3… ask for $1 (node or
# npm), in the form ">=X.Y.Z"; $2 when none does.
engine_min() {
  local name="$1" default="$2" file v min=""
  shift 2
  for file; do
    v="$(sed -n "/\"engines\"/,/}/ s/^ *\"$name\": *\">= *\([0-9][0-9.]*\)\".*/\1/p" "$file")"
    if [ -n "$v" ] && { [ -z "$min" ] || ! version_ge "$min" "$v"; }; then min="$v"; fi
  done
  echo "${min:-$default}"
}

# Starts scripts/cluster with N instances of BIN on DATABASE behind nginx on PORT, its files in
# FOLDER, and waits until it serves; sets CLUSTER_PID. For the benchmarks.
start_cluster() {
  local instances="$1" port="$2" database="$3" bin="$4" folder="$5"
  bash "$ROOT/scripts/cluster" --instances "$instances" --port "$port" --database "$database" --bin "$bin" \
    --folder "$folder" >"$folder/cluster.out" 2>&1 &
  CLUSTER_PID=$!
  for _ in $(seq 1800); do
    grep -q '^ready ' "$folder/cluster.out" && return 0
    kill -0 "$CLUSTER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$folder/cluster.out" >&2
  return 1
}

# Stops the cluster start_cluster started, and waits until it has cleaned up.
stop_cluster() {
  [ -z "${CLUSTER_PID:-}" ] || { kill -TERM "$CLUSTER_PID" 2>/dev/null || true; wait "$CLUSTER_PID" 2>/dev/null || true; }
  CLUSTER_PID=""
}
