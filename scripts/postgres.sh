#!/usr/bin/env bash
# Makes sure the local PostgreSQL (127.0.0.1:5432) that the hub's tests use is running.
# Starts the installed cluster when it is down; says so and carries on when there is none to start
# (the hub's tests then fail, as they must, rather than being skipped).
set -uo pipefail
host="${COUNTERDESK_TEST_PG_HOST:-127.0.0.1}"
port="${COUNTERDESK_TEST_PG_PORT:-5432}"
ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
command -v pg_isready >/dev/null 2>&1 || { echo "postgres.sh: pg_isready not found (PostgreSQL client missing)" >&2; exit 0; }
ready && exit 0
if [ -d /etc/postgresql ] && command -v pg_ctlcluster >/dev/null 2>&1; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 | sed 's/^/postgres.sh: /' >&2 || true
  done
  for _ in $(seq 1 30); do ready && exit 0; sleep 1; done
fi
echo "postgres.sh: PostgreSQL is not reachable on $host:$port" >&2
exit 0
