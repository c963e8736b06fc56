#!/usr/bin/env bash
# buf lint, buf breaking against the previous commit (when it had the contract),
# and a check that gen/ is exactly what `buf generate` produces from proto/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
buf lint
if git rev-parse -q --verify HEAD~1 >/dev/null && git cat-file -e HEAD~1:proto 2>/dev/null; then
  buf breaking --against '.git#ref=HEAD~1'
else
  echo "check-proto: no earlier contract to compare against"
fi
buf generate
node sdk/scripts/sync-contract.mjs   # the SDK ships its own copy of the generated contract
if [ -n "$(git status --porcelain -- gen sdk/src/gen)" ]; then
  echo "check-proto: gen/ or sdk/src/gen/ differs from what buf generate produces; run npm run generate and commit" >&2
  git status --porcelain -- gen sdk/src/gen >&2
  exit 1
fi
echo "check-proto: lint, breaking and generated code OK"
