#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: `docker compose config`
# when the plugin exists, else Debian's docker-compose (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config -q
elif command -v docker-compose >/dev/null 2>&1 || { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null 2>&1; }; then
  docker-compose -f docker-compose.yml config -q
else
  echo "check-compose: neither docker compose nor docker-compose available" >&2
  exit 1
fi
echo "check-compose: docker-compose.yml OK"
