#!/usr/bin/env bash
# The cost of the init sampling interval (DDSLS_PROFILING_INIT_INTERVAL): the CPU-bound example init under
# `ddsls coldstart` with the agent, intervals interleaved round by round so the machine's drift hits all alike.
# Usage: bench/init-interval.sh [ROUNDS] [INTERVALS...]   (default: 5 rounds of 10ms 5ms 2ms, 3 cold starts each)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-5}; shift || true
if [ $# -eq 0 ]; then set -- 10ms 5ms 2ms; fi
intervals=("$@")
out=$(mktemp -d)
for i in $(seq 1 "$rounds"); do
  for iv in "${intervals[@]}"; do
    ./ddsls coldstart --jar cli/target/examples/ddsls-examples.jar --handler example.RulesHandler::handleRequest --runs 3 \
      --invocations 2 --env "DDSLS_PROFILING_INIT_INTERVAL=$iv" --out "$out/$iv-$i" --format json > /dev/null
  done
done
python3 - "$out" "$rounds" "${intervals[@]}" <<'PY'
import json, statistics, sys
out, rounds, intervals = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for iv in intervals:
    init, first = [], []
    for i in range(1, rounds + 1):
        for run in json.load(open(f"{out}/{iv}-{i}/results.json"))["runs"]:
            init.append(run["initMs"]); first.append(run["invocationsMs"][0])
    print(f"{iv:>6}  init p50 {statistics.median(init):7.1f} ms  mean {statistics.mean(init):7.1f}  first invocation p50 {statistics.median(first):5.1f} ms  n {len(init)}")
PY
