#!/usr/bin/env bash
# Installs what the tests need on a Debian machine (when missing) and runs every suite:
# .NET unit and integration tests (real redis-server, real Kestrel), the JS client's unit tests,
# the dashboard in headless Chromium, the deployment files' static checks, and a load-test smoke run.
# Usage: scripts/test.sh            (everything)
#        scripts/test.sh dotnet     (one suite: dotnet | browser | deploy | bench | faults)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
  local packages=()
  command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  command -v yamllint >/dev/null 2>&1 || packages+=(yamllint)
  command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
  command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
  if [ ${#packages[@]} -gt 0 ]; then
    echo "== installing ${packages[*]}"
    as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${packages[@]}" >/dev/null
  fi
}

passed=0
failed=0
failures=()
# Each suite runs under a time limit (minutes), so a hang fails its suite, names itself, and leaves CI time
# for the rest; timeout signals the suite's whole process group (servers and test hosts included).
suite() {
  local name=$1 limit=$2; shift 2
  echo
  echo "== $name"
  local started=$SECONDS
  if timeout -k 20 "$((limit * 60))" bash -c "$*"; then
    passed=$((passed + 1)); echo "== $name: ok ($((SECONDS - started))s)"
  else
    local rc=$?
    [ "$rc" = 124 ] || [ "$rc" = 137 ] && echo "== $name: stopped after its limit of $limit minutes"
    failed=$((failed + 1)); failures+=("$name"); echo "== $name: FAILED ($((SECONDS - started))s)"
  fi
}

# A long fuzz run (FUZZ_SECONDS, whole seconds) adds its time, with room, to the .NET limits below.
fuzz_minutes=$(((${FUZZ_SECONDS:-0} + 59) / 60 * 4))
# A .NET test still running after 4 minutes (plus fuzz time) is stopped and named, and the run fails.
dotnet_suite() {
  dotnet build PushGateway.sln -c Release -warnaserror -nologo -clp:ErrorsOnly &&
    dotnet test PushGateway.sln -c Release --no-build -nologo --blame-hang-timeout "$((4 + fuzz_minutes))m" --blame-hang-dump-type none
}
# The browser suite runs the JS client's unit tests too, against the gateway the dotnet suite built.
browser_suite() { PUSHGW_DLL="$root/src/PushGateway/bin/Release/net10.0/PushGateway.dll" tests/browser/run.sh; }
# The images run `dotnet publish`; publishing here catches what only a publish finds (colliding outputs).
publish_check() {
  local out project
  out=$(mktemp -d)
  for project in src/PushGateway src/FeedSimulator bench/LoadGen; do
    dotnet publish "$project" -c Release -o "$out/$(basename "$project")" -nologo -v quiet -clp:ErrorsOnly || { rm -rf "$out"; return 1; }
  done
  [ -f "$out/PushGateway/wwwroot/client/index.js" ] || { echo "publish: the JS client is missing from wwwroot/client"; rm -rf "$out"; return 1; }
  rm -rf "$out"
  echo "publish: 3 projects published"
}
deploy_suite() { deploy/validate.sh && publish_check; }
bench_suite() { [ -x bench/run.sh ] || return 0; bench/run.sh smoke; }
faults_suite() { scripts/faults.sh all ci; }

export root fuzz_minutes
export -f as_root dotnet_suite browser_suite publish_check deploy_suite bench_suite faults_suite

install_missing
only=${1:-all}
[ "$only" = all ] || [ "$only" = dotnet ] && suite "dotnet tests" "$((15 + fuzz_minutes))" dotnet_suite
[ "$only" = all ] || [ "$only" = browser ] && suite "js client and browser tests" 10 browser_suite
[ "$only" = all ] || [ "$only" = deploy ] && suite "deploy checks" 10 deploy_suite
[ "$only" = all ] || [ "$only" = bench ] && suite "load-test smoke" 10 bench_suite
[ "$only" = all ] || [ "$only" = faults ] && suite "fault suite (small)" 15 faults_suite

echo
[ ${#failures[@]} -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
