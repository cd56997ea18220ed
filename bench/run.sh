#!/usr/bin/env bash
# Benchmark scenarios for PushGateway against the Socket.IO baseline (docs/benchmarks.md).
#
# usage: bench/run.sh SCENARIO         smoke | s1 | s2 | s3 | s4 | s5 | churn | bus | all
#
# Every scenario starts its own redis-server on a free port, builds and starts the gateway in
# Release, runs LoadGen against it, then does the same against bench/socketio/server.mjs, prints
# both reports and the ratios, and stops everything it started (on any exit). All traffic stays on
# 127.0.0.0/8 and every run is bounded in time.
#
# Environment (all optional):
#   BENCH_OUT=DIR        where the JSON reports go (default /tmp/pushgw-bench/<scenario>-<time>)
#   TARGETS="pushgw socketio"   which servers to measure (smoke is always pushgw only)
#   DURATION=30s WARMUP=5s      override the measured and warm-up time of s1, s2 (per step), s4, s5
#   PROCESSES=N          LoadGen client processes where a scenario uses one (default per scenario)
#   SKIP_BUILD=1         use the Release binaries already built
#   S5_RATE, S5_CONNECTIONS, S5_SOCKETIO=1   scale S5 down; also run it on Socket.IO (uncapped)
#   S2_STEPS=N S2_START=R S2_FACTOR=F   the S2 ramp: N steps from R msg/s, x F each (default 14 from 200 x1.5: up to 38,900)
#   S4_SUBS="10 100 1000 10000"   the subscribers-per-topic steps of S4 (warm-up: 800 messages, 3-40 s, unless WARMUP)
#   CHURN_CLIENTS="1000 10000 19000"   the steps of churn: clients joining and leaving one topic
#   GATEWAY_DLL=PATH     measure another build of the gateway (an A/B against a worktree of another commit)
#   LOADGEN_DLL=PATH     the same for the load generator (e.g. to see what a LoadGen change does to the figures)
#   GATEWAY_ENV="K=V ..." LOADGEN_ENV="K=V ..."   extra environment for the gateway / LoadGen only (runtime knobs)
#   BUS_RATES=1000,2000,20000 BUS_ROUNDS=2 BUS_CLIENTS=library,library-inline,thread,inline   the bus scenario (BusBench)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scenario=${1:-}
case "$scenario" in
  smoke | s1 | s2 | s3 | s4 | s5 | churn | bus | all) ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2 ;;
esac

out=${BENCH_OUT:-/tmp/pushgw-bench/$scenario-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
targets=${TARGETS:-pushgw socketio}
duration=${DURATION:-30s}
warmup=${WARMUP:-5s}
loadgen_dll=${LOADGEN_DLL:-$root/bench/LoadGen/bin/Release/net10.0/LoadGen.dll}
busbench_dll=$root/bench/BusBench/bin/Release/net10.0/BusBench.dll
gateway_dll=${GATEWAY_DLL:-$root/src/PushGateway/bin/Release/net10.0/PushGateway.dll}

# Servers need up to ~19,000 sockets each (S3); 20,000 is the hard limit here.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

started=()
cleanup() {
  local pid
  for pid in "${started[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${started[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  started=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[run.sh $(date +%H:%M:%S)] $*" >&2; }

# Below the kernel's ephemeral range (32768+ here), so no client socket of this run or of a neighbour
# can be holding the port when the server binds it; any socket on it, not only a listener, rules it out.
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 12000))
    if ! ss -tanH "sport = :$port" | grep -q .; then echo "$port"; return; fi
  done
}

wait_for_port() { # port seconds [pid]: fails early when the process that should listen has exited
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
      log "the process meant to listen on port $1 exited"
      return 1
    fi
    sleep 0.1
  done
  log "nothing listens on port $1 after $2 s"
  return 1
}

show_log() { # file: the end of a server's log, when it failed to start
  [ -s "$1" ] && { log "last lines of $1:"; tail -n 20 "$1" >&2; }
  return 0
}

stop_pid() { # pid: stop one process we started and forget it
  local pid=$1 kept=() p
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${started[@]}"; do [ "$p" = "$pid" ] || kept+=("$p"); done
  started=("${kept[@]+"${kept[@]}"}")
}

build() {
  if [ "${SKIP_BUILD:-0}" = 1 ] && [ -f "$gateway_dll" ] && [ -f "$loadgen_dll" ] && [ -f "$busbench_dll" ]; then return 0; fi
  log "building the gateway and LoadGen (Release)"
  dotnet build -c Release "$root/src/PushGateway" -nologo -v q -clp:ErrorsOnly >&2
  dotnet build -c Release "$root/bench/LoadGen" -nologo -v q -clp:ErrorsOnly >&2
  dotnet build -c Release "$root/bench/BusBench" -nologo -v q -clp:ErrorsOnly >&2
}

socketio_ready=
socketio_install() {
  [ -n "$socketio_ready" ] && return 0
  if [ ! -d "$root/bench/socketio/node_modules" ]; then
    log "npm ci in bench/socketio"
    (cd "$root/bench/socketio" && npm ci --no-audit --no-fund --silent) >&2
  fi
  socketio_ready=1
}

redis_port=
start_redis() {
  local attempt pid
  for attempt in 1 2 3; do
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --maxclients 10000 \
      --loglevel warning >"$out/redis.log" 2>&1 &
    pid=$!
    started+=("$pid")
    if wait_for_port "$redis_port" 10 "$pid"; then
      log "redis-server on 127.0.0.1:$redis_port"
      return 0
    fi
    show_log "$out/redis.log"
    stop_pid "$pid"
  done
  log "redis-server did not start in 3 attempts"
  return 1
}

server_pid=
server_url=
start_server() { # target name -> sets server_pid, server_url
  local target=$1 name=$2 port
  port=$(free_port)
  if [ "$target" = pushgw ]; then
    env ${GATEWAY_ENV:-} dotnet "$gateway_dll" --urls "http://127.0.0.1:$port" --Redis:ConnectionString="127.0.0.1:$redis_port" \
      --Feeds:Enabled=false --Logging:LogLevel:Default=Warning >"$out/$name-server.log" 2>&1 &
    server_url=ws://127.0.0.1:$port/ws
  else
    socketio_install
    node "$root/bench/socketio/server.mjs" --port "$port" --redis "127.0.0.1:$redis_port" \
      >"$out/$name-server.log" 2>&1 &
    server_url=ws://127.0.0.1:$port/socket.io/
  fi
  server_pid=$!
  started+=("$server_pid")
  if ! wait_for_port "$port" 60 "$server_pid"; then
    show_log "$out/$name-server.log"
    return 1
  fi
  log "$target server pid $server_pid at $server_url"
}

loadgen() { env ${LOADGEN_ENV:-} dotnet "$loadgen_dll" "$@"; }

# run_one TARGET NAME LOADGEN-ARGS...: one server, one LoadGen run; the report goes to $out/NAME-TARGET.json.
run_one() {
  local target=$1 name=$2 rc=0
  shift 2
  start_server "$target" "$name-$target" || { stop_pid "$server_pid"; return 1; }
  loadgen --target "$target" --url "$server_url" --redis "127.0.0.1:$redis_port" --gateway-pid "$server_pid" \
    --label "$target" --json "$@" >"$out/$name-$target.json" || rc=$?
  stop_pid "$server_pid"
  return $rc
}

# run_pair NAME LOADGEN-ARGS...: the scenario against every target in $targets, then the ratios.
run_pair() {
  local name=$1 target
  shift
  echo
  echo "######## $name: $*"
  for target in $targets; do
    run_one "$target" "$name" "$@" || log "$name/$target: the run was not clean (see the report)"
  done
  if [ -s "$out/$name-pushgw.json" ] && [ -s "$out/$name-socketio.json" ]; then
    echo
    echo "== $name: pushgw vs socketio"
    loadgen compare "$out/$name-pushgw.json" "$out/$name-socketio.json"
  fi
}

common_ips=127.0.0.1-127.0.0.8

s1() {
  run_pair s1 --connections 1000 --topics 100 --subs-per-conn 5 --rate 1000 \
    --duration "$duration" --warmup "$warmup" --payload-bytes 100 --source-ips "$common_ips"
}

s2() {
  # Same fan-out as S1 (50 subscribers per topic); the publish rate grows x1.5 per step.
  run_pair s2 --connections 1000 --topics 100 --subs-per-conn 5 --rate "${S2_START:-200}" --ramp --ramp-factor "${S2_FACTOR:-1.5}" \
    --ramp-steps "${S2_STEPS:-14}" --duration "${DURATION:-10s}" --warmup 3s --payload-bytes 100 --source-ips "$common_ips"
}

s3() {
  # 19,000 idle connections on one node (its fd limit is 20,000), clients in 2 processes.
  run_pair s3 --connections 19000 --topics 1000 --subs-per-conn 1 --idle --duration 10s \
    --processes "${PROCESSES:-2}" --source-ips "$common_ips" --connect-concurrency 100
}

s4() {
  # One topic, S subscribers, publish rate 20,000/S: the same deliveries/s at every fan-out.
  # The warm-up covers at least 800 messages (at most 40 s): at 2-20 msg/s a 3 s warm-up leaves the JIT
  # still tiering the per-message code in the measured window, and the sparse steps read too costly.
  local subs rate procs warm
  for subs in ${S4_SUBS:-10 100 1000 10000}; do
    rate=$((20000 / subs))
    procs=1
    [ "$subs" -ge 10000 ] && procs=2
    warm=$(( 800 / rate < 40 ? 800 / rate : 40 ))
    [ "$warm" -lt 3 ] && warm=3
    run_pair "s4-fanout$subs" --connections "$subs" --topics 1 --subs-per-conn 1 --rate "$rate" \
      --duration "${DURATION:-15s}" --warmup "${WARMUP:-${warm}s}" --processes "$procs" --source-ips "$common_ips"
  done
  echo
  command -v jq >/dev/null 2>&1 || { log "jq not installed: no s4 summary table (apt-get install jq)"; return 0; }
  echo "== s4: deliveries per server CPU-second by subscribers per topic"
  printf '%-12s' "subs/topic"
  for target in $targets; do printf ' %22s %10s' "$target del/CPU-s" "p99 ms"; done
  echo
  for subs in ${S4_SUBS:-10 100 1000 10000}; do
    printf '%-12s' "$subs"
    for target in $targets; do
      if [ -s "$out/s4-fanout$subs-$target.json" ]; then
        jq -r '[.result.deliveriesPerServerCpuSecond // 0, .result.latency.p99Ms // 0] | "\(.[0] | floor) \(.[1])"' \
          "$out/s4-fanout$subs-$target.json" | { read -r d p; printf ' %22s %10s' "$d" "$p"; }
      else printf ' %22s %10s' - -; fi
    done
    echo
  done
}

s5() {
  # FX dashboards: 200 pairs ticking 50/s each (10,000 msg/s); 5,000 dashboards x 20 pairs, capped
  # at maxRate 4 per subscription. Socket.IO has no per-subscription cap: without it every dashboard
  # would get 1,000 msg/s, so the baseline is run only when asked (S5_SOCKETIO=1), uncapped.
  # S5_RATE and S5_CONNECTIONS scale it down: two shared cores cannot hold the full mix (docs/benchmarks.md).
  local args=(--connections "${S5_CONNECTIONS:-5000}" --topics 200 --subs-per-conn 20 --rate "${S5_RATE:-10000}"
    --topic-prefix fx.P --duration "${DURATION:-20s}" --warmup "${WARMUP:-5s}"
    --processes "${PROCESSES:-2}" --source-ips "$common_ips")
  local saved=$targets
  targets=pushgw
  run_pair s5-json "${args[@]}" --max-rate 4 --protocol json
  run_pair s5-msgpack "${args[@]}" --max-rate 4 --protocol msgpack
  targets=$saved
  if [ "${S5_SOCKETIO:-0}" = 1 ]; then
    targets=socketio
    run_pair s5-socketio "${args[@]}"
    targets=$saved
  fi
}

cpu_ms() { # pid: user + system CPU of a process so far, in ms (clock ticks are 10 ms)
  local stat
  read -r stat <"/proc/$1/stat" || return 1
  stat=${stat##*) }
  set -- $stat
  echo $(((${12} + ${13}) * 1000 / $(getconf CLK_TCK)))
}

settled_cpu_ms() { # pid: its CPU once it has stopped working (under 20 ms in a second), at most 60 s from now
  local before after i
  before=$(cpu_ms "$1")
  for ((i = 0; i < 60; i++)); do
    sleep 1
    after=$(cpu_ms "$1")
    [ $((after - before)) -lt 20 ] && break
    before=$after
  done
  echo "$after"
}

churn_round() { # target clients topic-prefix name
  loadgen --target "$1" --url "$server_url" --redis "127.0.0.1:$redis_port" --connections "$2" --topics 1 --topic-prefix "$3" \
    --subs-per-conn 1 --idle --duration 1s --processes 2 --source-ips "$common_ips" --connect-concurrency 100 \
    --label "$1" --json >"$out/churn$4-$1.json" 2>"$out/churn$4-$1.log" ||
    log "churn $4/$1: the run was not clean (see $out/churn$4-$1.json)"
}

churn() {
  # A hot topic's subscribe and unsubscribe storm, as when a killed node's clients all land on this one:
  # N clients connect and subscribe to the same topic, stay a second, and leave. Prints the server's whole
  # CPU for that (handshakes included) per client; flat across N means joining and leaving a topic does
  # not grow with its audience.
  local n target start end ms
  echo "== churn: server CPU per client that connects, subscribes to one shared topic and leaves"
  printf '%-10s' clients
  for target in $targets; do printf ' %16s %14s' "$target CPU-ms" "us/client"; done
  echo
  for n in ${CHURN_CLIENTS:-1000 10000 19000}; do
    printf '%-10s' "$n"
    for target in $targets; do
      start_server "$target" "churn$n-$target" >/dev/null 2>&1 || { stop_pid "$server_pid"; printf ' %16s %14s' - -; continue; }
      # A first small round on another topic warms the server up (JIT), so only the storm itself is counted.
      churn_round "$target" 2000 warm "warm$n"
      start=$(settled_cpu_ms "$server_pid")
      churn_round "$target" "$n" churn "$n"
      end=$(settled_cpu_ms "$server_pid")
      stop_pid "$server_pid"
      ms=$((end - start))
      printf ' %16s %14s' "$ms" "$((ms * 1000 / n))"
    done
    echo
  done
}

bus() {
  # No gateway: what one Redis message costs a subscribing process before any fan-out, with the
  # gateway's client library against a reader thread of its own (docs/benchmarks.md, 2026-12-07).
  dotnet "$busbench_dll" --redis "127.0.0.1:$redis_port" --rates "${BUS_RATES:-1000,2000,20000}" \
    --rounds "${BUS_ROUNDS:-2}" --clients "${BUS_CLIENTS:-library,library-inline,thread,inline}" \
    --duration "${DURATION:-10s}" --warmup "${WARMUP:-2s}" | tee "$out/bus.txt"
}

smoke() {
  # CI: a tiny bounded run against the gateway; non-zero exit on any loss, duplicate or failed connection.
  loadgen selftest
  # BusBench too: a second-long run of each client, which fails on any loss.
  dotnet "$busbench_dll" --redis "127.0.0.1:$redis_port" --rates 500 --rounds 1 --duration 1s --warmup 0.5s >"$out/smoke-bus.txt" ||
    { cat "$out/smoke-bus.txt"; return 1; }
  targets=pushgw
  start_server pushgw smoke || return 1
  local rc=0
  loadgen --target pushgw --url "$server_url" --redis "127.0.0.1:$redis_port" --gateway-pid "$server_pid" \
    --connections 50 --topics 10 --subs-per-conn 2 --rate 200 --duration 5s --warmup 1s \
    --source-ips 127.0.0.1-127.0.0.2 --label smoke --json >"$out/smoke-pushgw.json" || rc=$?
  stop_pid "$server_pid"
  return $rc
}

build
start_redis
log "reports in $out"
case "$scenario" in
  smoke) smoke ;;
  s1) s1 ;;
  s2) s2 ;;
  s3) s3 ;;
  s4) s4 ;;
  s5) s5 ;;
  churn) churn ;;
  bus) bus ;;
  all) s1; s2; s3; s4; s5 ;;
esac
