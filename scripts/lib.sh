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

# Starts a throwaway PostgreSQL cluster (initdb + pg_ctl on a temp folder and a free port),
# exports AGIO_TEST_PG_URL, and stops it on exit.
start_throwaway_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bin" ]; then
    echo "PostgreSQL is not installed: apt-get install postgresql (the .ci/run script does it)" >&2
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
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
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
# throwaway certificate authority for its TLS), in a
# virtual environment under target/ so that nothing is installed system-wide. Exports
# AGIO_TEST_PYTHON for the Rust tests.
ensure_test_python() {
  local venv="$ROOT/target/test-python"
  if ! "$venv/bin/python" -c 'import aiosmtpd, trustme' 2>/dev/null; then
    log "installing the Python test tools (aiosmtpd, trustme) in $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check aiosmtpd==1.4.6 trustme==1.2.1
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
