#!/usr/bin/env bash
# What a loopback send costs the sender here: a bare syscall, send() per socket, io_uring batches
# (docs/benchmarks.md, "io_uring"). Needs gcc and liburing (Debian: apt-get install -y gcc liburing-dev).
# Knobs: FANOUT (default 50, S1's subscribers per topic), ROUNDS (20000), REPEAT (3).
set -euo pipefail
cd "$(dirname "$0")"
out=${TMPDIR:-/tmp}/pushgw-sendcost
gcc -O2 -Wall -o "$out" sendcost.c -luring -lpthread
for _ in $(seq "${REPEAT:-3}"); do
  for mode in syscall send uring uring-coop uring-defer; do "$out" "$mode" "${FANOUT:-50}" "${ROUNDS:-20000}"; done
done
