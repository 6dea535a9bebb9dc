#!/usr/bin/env bash
# Installs the Debian packages graphql-fcgi needs to build, run and test, when they are missing.
# Uses sudo when not root. Safe to run again: it does nothing once everything is there.
set -euo pipefail

# package  |  a file it installs (glob)  |  why
needs=(
  "libfcgi-dev|/usr/include/fcgiapp.h|FastCGI protocol (libfcgi)"
  "libcurl4-openssl-dev|/usr/include/*/curl/curl.h|HTTP client for Kratos (libcurl)"
  "nginx|/usr/sbin/nginx|the web server in front (run, tests, bench)"
  "spawn-fcgi|/usr/bin/spawn-fcgi|tests: a socket inherited on fd 0"
  "wrk|/usr/bin/wrk|bench: HTTP load generator"
  "libhiredis-dev|/usr/include/hiredis/hiredis.h|shared security state across hosts (Redis client)"
  "redis-server|/usr/bin/redis-server|tests: the several-hosts shared state"
  "libsqlite3-dev|/usr/include/sqlite3.h|examples/notes: its notes in SQLite"
  "pkg-config|/usr/bin/pkg-config|examples/notes: SwiftPM finds SQLite through it"
  "libpq-dev|/usr/include/postgresql/libpq-fe.h|@sql on PostgreSQL (libpq)"
  "postgresql|/usr/lib/postgresql/*/bin/postgres|tests: @sql on a real PostgreSQL server"
  "postgresql-client|/usr/bin/psql|tests: the PostgreSQL test data, loaded and read with psql"
  "systemd|/usr/bin/systemd-analyze|tests: unit verification and sandbox scores, socket activation"
  "chromium|/usr/bin/chromium|tests: the explorer in a real browser"
  "chromium-driver|/usr/bin/chromedriver|tests: the explorer in a real browser"
)

missing=()
for need in "${needs[@]}"; do
  IFS='|' read -r package file _ <<<"$need"
  compgen -G "$file" >/dev/null || missing+=("$package")
done
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=("python3-venv")  # tests: the pytest virtualenv

[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts nginx on port 80, redis-server on 6379 and PostgreSQL on 5432 when it installs them; graphql-fcgi's
# tests run their own.
if command -v systemctl >/dev/null; then
  for service in nginx redis-server postgresql; do
    systemctl is-active --quiet "$service" 2>/dev/null && { $sudo systemctl stop "$service" || true; }
  done
fi
