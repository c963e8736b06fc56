#!/usr/bin/env bash
# Installs (via apt, Debian 12) the server binaries the test suite falls back to
# when neither env URLs nor a Docker engine are available. Idempotent: installs
# only what is missing and runs `apt-get update` only when something is.
# Usage: scripts/install-services.sh [--browser] [redis] [postgres] [clickhouse]
#   (no service names = all three)
set -euo pipefail

want_browser=0
services=()
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    redis|postgres|clickhouse) services+=("$arg") ;;
    *) echo "install-services: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
[ ${#services[@]} -eq 0 ] && services=(redis postgres clickhouse)

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
for s in "${services[@]}"; do
  case "$s" in
    redis) have_pkg redis-server || command -v redis-server >/dev/null || missing+=(redis-server) ;;
    postgres) have_pkg postgresql || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql) ;;
    clickhouse)
      have_pkg clickhouse-server || missing+=(clickhouse-server)
      have_pkg clickhouse-client || missing+=(clickhouse-client)
      # The keeper of the tests' ClickHouse cluster (18.16 has no ClickHouse Keeper); brings a Java runtime.
      have_pkg zookeeper || missing+=(zookeeper) ;;
  esac
done
if [ "$want_browser" = 1 ]; then
  have_pkg chromium || missing+=(chromium)
  # Only a Recommends of chromium, skipped by --no-install-recommends; without a font, page text renders as boxes.
  have_pkg fonts-liberation || missing+=(fonts-liberation)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-services: nothing to install"
  exit 0
fi

# Root on CI/dev machines; fall back to sudo (keeping env) elsewhere.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -E "$@"; fi; }

# Forbid maintainer scripts from starting services (no systemd here, and the
# machine's own Redis:6379 / Postgres:5432 must not be touched). Only add our
# policy-rc.d if none exists, and only remove the one we added.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
  as_root chmod 755 "$policy"
  added_policy=1
fi
# (an `if`, not `&&`: a false test as the trap's last command would become the exit code)
cleanup() { if [ "$added_policy" = 1 ]; then as_root rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
echo "install-services: installing ${missing[*]}"
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}"
echo "install-services: done"
