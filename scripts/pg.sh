#!/usr/bin/env bash
# The indexer's own PostgreSQL cluster, under .run/ and on a port of its own, never the
# system's default cluster (5432).
#
#   scripts/pg.sh install   install Debian's postgresql with apt when no initdb is found
#   scripts/pg.sh start     install if needed, initdb the cluster once, start it, wait
#                           until it accepts connections, create the database
#   scripts/pg.sh stop      stop the cluster this script started (and only it)
#   scripts/pg.sh status    say whether it runs
#   scripts/pg.sh url       print its connection URL
#   scripts/pg.sh psql ...  psql on the database (arguments passed on)
#
# INDEXER_PG_PORT (default 5544) is the TCP port on 127.0.0.1; INDEXER_PG_DIR (default
# .run/pg) holds the data (data/), the unix socket (sock/) and the log (postgres.log);
# INDEXER_PG_DB (default indexer) is the database. Authentication is `trust` on
# 127.0.0.1 and the socket only: a development cluster, not a server to expose.
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres`
# user (created by the Debian package) and every server command runs through
# `runuser -u postgres --`. Idempotent: `start` on a running cluster only checks it.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${INDEXER_PG_PORT:-5544}
base=${INDEXER_PG_DIR:-.run/pg}
db=${INDEXER_PG_DB:-indexer}
user=indexer
mkdir -p "$(dirname "$base")"
base=$(cd "$(dirname "$base")" && pwd)/$(basename "$base")
# A link to where the cluster really is (see start): server commands get the real path.
[ -L "$base" ] && base=$(readlink -f "$base")
set_paths() {
  data=$base/data
  sock=$base/sock
  log=$base/postgres.log
}
set_paths

say() { echo "pg: $*"; }
fail() {
  echo "pg: FAILED: $*" >&2
  exit 1
}

bindir() { # the newest installed server's bin folder
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

install() {
  if bindir >/dev/null; then
    say "postgresql: ok ($("$(bindir)/postgres" --version))"
    return 0
  fi
  local as_root=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "postgresql is missing and installing it needs root: apt-get install postgresql"
    as_root="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || fail "postgresql is missing and there is no apt-get: install PostgreSQL ≥ 13 (initdb under /usr/lib/postgresql/<v>/bin)"
  mkdir -p .run/setup
  say "postgresql: installing Debian's postgresql (log .run/setup/apt-postgresql.log)"
  {
    # The package would create and start a system cluster on 5432 ("main"); the project
    # never uses it, so ask postgresql-common not to create it (unless configured already).
    if [ ! -f /etc/postgresql-common/createcluster.conf ]; then
      $as_root mkdir -p /etc/postgresql-common &&
        echo "create_main_cluster = false" | $as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
    fi
    $as_root apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq --no-install-recommends postgresql
  } >.run/setup/apt-postgresql.log 2>&1 || {
    tail -n 20 .run/setup/apt-postgresql.log >&2
    fail "apt-get install postgresql failed (log .run/setup/apt-postgresql.log)"
  }
  bindir >/dev/null || fail "postgresql installed, but no /usr/lib/postgresql/*/bin/initdb"
  say "postgresql: installed ($("$(bindir)/postgres" --version))"
}

# Runs a server command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ready() { "$(bindir)/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U "$user" 2>/dev/null; }

running() { # our cluster's postmaster is alive
  [ -f "$data/postmaster.pid" ] || return 1
  local pid
  pid=$(head -n 1 "$data/postmaster.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

start() {
  install >/dev/null
  local bin
  bin=$(bindir)
  mkdir -p "$base" "$sock"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || fail "running as root needs the 'postgres' user (Debian's postgresql package creates it)"
    chown postgres: "$base" "$sock"
    # The postgres user must reach the folder: a checkout under /root (mode 700) is out
    # of its reach; then the cluster lives in /var/tmp and .run/pg points there.
    if ! runuser -u postgres -- test -w "$base"; then
      local elsewhere
      elsewhere=/var/tmp/indexer-pg-$(echo "$PWD" | cksum | cut -d' ' -f1)
      rmdir "$sock" "$base" 2>/dev/null || true
      mkdir -p "$elsewhere/sock"
      chown postgres: "$elsewhere" "$elsewhere/sock"
      ln -sfn "$elsewhere" "$base"
      say "the postgres user cannot reach $(dirname "$base"): the cluster lives in $elsewhere ($base links there)"
      base=$elsewhere
      set_paths
    fi
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    as_owner "$bin/initdb" -D "$data" -U "$user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >"$base/initdb.log" 2>&1 || {
      tail -n 20 "$base/initdb.log" >&2
      fail "initdb failed (log $base/initdb.log)"
    }
    say "initialised a cluster in $data"
  fi
  if running; then
    ready || fail "a postmaster runs on $data but does not accept connections on port $port"
  else
    if ready; then fail "port $port already answers PostgreSQL from another cluster; set INDEXER_PG_PORT"; fi
    touch "$log"
    [ "$(id -u)" = 0 ] && chown postgres: "$log"
    # -k: the socket under .run, never /var/run/postgresql; fsync stays on (the cursor's
    # promise depends on it).
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=50" start >/dev/null ||
      {
        tail -n 20 "$log" >&2
        fail "the cluster did not start (log $log)"
      }
  fi
  if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U "$user" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$db"
    say "created database $db"
  fi
  say "running (PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), $(url))"
}

stop() {
  if ! running; then
    say "not running (port $port)"
    return 0
  fi
  as_owner "$(bindir)/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null
  say "stopped (port $port)"
}

status() {
  if running && ready; then
    say "running ($(url), data $data)"
  else
    say "not running (port $port)"
    return 1
  fi
}

url() { echo "postgres://$user@127.0.0.1:$port/$db"; }

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  psql)
    shift
    exec "$(bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$user" -d "$db" "$@"
    ;;
  *)
    echo "usage: scripts/pg.sh install|start|stop|status|url|psql   (INDEXER_PG_PORT=$port)" >&2
    exit 2
    ;;
esac
