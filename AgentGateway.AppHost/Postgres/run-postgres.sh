#!/usr/bin/env bash
# Runs a PostgreSQL server from the locally installed binaries, in the foreground, for development and tests.
#   run-postgres.sh DATA_DIR PORT PASSWORD_FILE
# The cluster is created on first use (superuser "postgres", password read from PASSWORD_FILE, scram-sha-256 over
# TCP on 127.0.0.1 only) and reused afterwards, so data survives restarts. PostgreSQL refuses to run as root: when
# started as root the script re-executes itself as the "postgres" system user.
set -euo pipefail

data_dir=${1:?usage: run-postgres.sh DATA_DIR PORT PASSWORD_FILE}
port=${2:?usage: run-postgres.sh DATA_DIR PORT PASSWORD_FILE}
password_file=${3:?usage: run-postgres.sh DATA_DIR PORT PASSWORD_FILE}

find_bin_dir() {
  if [ -n "${POSTGRES_BIN_DIR:-}" ] && [ -x "$POSTGRES_BIN_DIR/postgres" ]; then echo "$POSTGRES_BIN_DIR"; return; fi
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/postgres" ]; then pg_config --bindir; return; fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/pgsql/bin; do
    if [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  done
  return 1
}

bin_dir=$(find_bin_dir) || {
  echo "PostgreSQL server binaries not found. Install them (Debian/Ubuntu: apt-get install -y postgresql) or set POSTGRES_BIN_DIR." >&2
  exit 127
}

mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd)
password_file=$(cd "$(dirname "$password_file")" && pwd)/$(basename "$password_file")

if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  chown -R postgres:postgres "$data_dir"
  chmod 0700 "$data_dir"
  chown postgres:postgres "$password_file"
  # The postgres user must be able to reach the data directory through its parents.
  parent=$(dirname "$data_dir")
  while [ "$parent" != "/" ]; do chmod o+x "$parent" 2>/dev/null || true; parent=$(dirname "$parent"); done
  exec setpriv --reuid=postgres --regid=postgres --init-groups --reset-env -- \
    env PATH="$PATH" POSTGRES_BIN_DIR="$bin_dir" bash "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$data_dir" "$port" "$password_file"
fi

if [ ! -s "$data_dir/PG_VERSION" ]; then
  "$bin_dir/initdb" --pgdata="$data_dir" --username=postgres --pwfile="$password_file" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8
fi

exec "$bin_dir/postgres" -D "$data_dir" -p "$port" -k "$data_dir" -c listen_addresses=127.0.0.1 \
  -c max_connections=200
