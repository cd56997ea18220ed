#!/usr/bin/env bash
# The fault suite (docs/reliability.md): a real redis-server, three real gateway nodes, a counting
# publisher and resuming clients on loopback, with Redis kills and pauses, node kills, a rolling
# restart and slow clients. Builds the gateway in Release once, runs, and ends with
#   faults: N passed, M failed
# exiting non-zero when any invariant failed. Every process it started is killed on exit, Ctrl-C included.
#
# Usage: scripts/faults.sh [scenario] [size] [extra options]
#   scenario: all (default) | redis-restart | redis-pause | node-kill | rolling | slow | soak | a,b,...
#   size:     ci (default: about two and a half minutes for all) | full
#   extra:    passed to the runner, e.g. --json, --keep, --duration 00:05:00 (soak), --gateway-setting K=V
# Examples: scripts/faults.sh                 (what the test command runs)
#           scripts/faults.sh all full
#           scripts/faults.sh soak full       (30 minutes; not part of "all")
set -uo pipefail
cd "$(dirname "$0")/.."

scenario=${1:-all}
size=${2:-ci}
shift $(( $# > 2 ? 2 : $# ))
# With --json the runner's stdout is the JSON document: this script's own lines then go to stderr.
say() { echo "$@"; }
for arg in "$@"; do [ "$arg" = "--json" ] && say() { echo "$@" >&2; }; done

command -v redis-server >/dev/null 2>&1 || { say "redis-server is not installed (scripts/test.sh installs it)"; say "faults: 0 passed, 1 failed"; exit 1; }

run_dir=$(mktemp -d /tmp/pushgw-faults.XXXXXX)
summary=$(mktemp /tmp/pushgw-faults-summary.XXXXXX)
runner=""

# Kills the runner, then anything it started that is still alive. A pid is only killed while it still
# belongs to this run: gateways carry --Reliability:Run=<run dir> on their command line; redis-server
# rewrites its command line but runs in its data directory, whose name carries the run's. So a
# recycled pid is never hit.
cleanup() {
  local marker pid
  if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then
    kill -TERM "$runner" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$runner" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$runner" 2>/dev/null
  fi
  marker=$(basename "$run_dir")
  if [ -f "$run_dir/pids" ]; then
    while read -r pid; do
      [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || continue
      if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$marker" || readlink "/proc/$pid/cwd" 2>/dev/null | grep -q -- "$marker"; then
        kill -KILL "$pid" 2>/dev/null
      fi
    done <"$run_dir/pids"
  fi
  rm -rf /dev/shm/pushgw-faults-"$marker"-* "$summary"
}
interrupted=0
trap cleanup EXIT
# On Ctrl-C or SIGTERM the runner is asked to stop (it kills what it started and reports); the script then finishes normally.
trap 'interrupted=1; say; say "interrupted: stopping the fault suite"; [ -n "$runner" ] && kill -TERM "$runner" 2>/dev/null' INT TERM

say "== building the gateway (Release)"
if ! dotnet build src/PushGateway -c Release -nologo -clp:ErrorsOnly >"$run_dir/build.log" 2>&1; then
  cat "$run_dir/build.log" >&2; say "faults: 0 passed, 1 failed (gateway build failed)"; exit 1
fi
say "== building the fault suite"
if ! dotnet build tests/Reliability -c Release -nologo -clp:ErrorsOnly >>"$run_dir/build.log" 2>&1; then
  cat "$run_dir/build.log" >&2; say "faults: 0 passed, 1 failed (fault suite build failed)"; exit 1
fi

# The built runner directly rather than `dotnet run`, so a signal reaches it and not an intermediate process.
dotnet tests/Reliability/bin/Release/net10.0/Reliability.dll \
  --scenario "$scenario" --size "$size" --run-dir "$run_dir" --summary-file "$summary" "$@" &
runner=$!
code=0
# wait returns early when a trapped signal arrives: keep waiting until the runner has really gone.
while kill -0 "$runner" 2>/dev/null; do wait "$runner"; code=$?; done
runner=""
[ "$interrupted" -eq 1 ] && code=130

if read -r passed failed <"$summary" 2>/dev/null && [ -n "${failed:-}" ]; then
  say "faults: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$code" -eq 0 ] && exit 0
  [ -d "$run_dir" ] && say "logs: $run_dir"
  [ "$code" -eq 130 ] && exit 130
  exit 1
fi
say "faults: 0 passed, 1 failed (the suite did not finish: exit code $code; logs: $run_dir)"
exit 1
