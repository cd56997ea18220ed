#!/usr/bin/env bash
# Installs what the browser tests need (Debian's chromium and redis-server when missing, the npm
# packages from the lock files), then runs the JS client's unit tests and the browser tests.
# Exits non-zero if either fails. PUSHGW_DLL=<path to PushGateway.dll> skips the dotnet build.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" || exit 1
fi

(cd clients/js && npm ci --no-audit --no-fund --loglevel=error) || exit 1
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) || exit 1

status=0
echo "== client unit tests (clients/js)"
(cd clients/js && node --test test/) || status=1
echo "== browser tests (tests/browser)"
node --test --test-concurrency=1 tests/browser/ || status=1
exit $status
