#!/usr/bin/env bash
# What class priming saves a SnapStart function's first invocation after the restore (issue 13).
#
# 1. The priming list: example.invoice.PrimedInvoiceHandler (Jackson and Log4j2 built on the first request) under
#    `ddsls coldstart --snapstart` with the agent, then `ddsls diagnose --priming` writes its classesloaded.txt.
# 2. Interleaved rounds, the agent off (the function alone): the same handler with PRIMING_CLASSES pointing at that
#    list (its beforeCheckpoint hook loads and initialises the classes before the snapshot) and without it.
#    Reported per side: the first invocation after the restore (results.json firstInvocationAfterRestoreMs, p50 of
#    the rounds) and the snapshot's init (initMs), which pays for the priming instead.
#
# Usage: bench/priming.sh [ROUNDS=8]     (builds nothing: run `mvn -B -q -DskipTests package` or ./ddsls first)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${1:-8}
JAR="$ROOT/cli/target/examples/ddsls-example-jackson-log4j2.jar"
HANDLER=example.invoice.PrimedInvoiceHandler::handleRequest
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
EVENT="$WORK/event.json"
echo '{"customer":"c-1001","lines":3}' > "$EVENT"
ddsls() { java -jar "$ROOT/cli/target/ddsls.jar" "$@"; }

ddsls coldstart --jar "$JAR" --handler "$HANDLER" --snapstart --runs 1 --invocations 2 --agent on --event "$EVENT" \
  --out "$WORK/list" --format json > /dev/null
ddsls diagnose --source "$WORK/list" --priming "$WORK/priming" --format json > "$WORK/list.json"
LIST=$(find "$WORK/priming" -name classesloaded.txt | head -1)
[ -n "$LIST" ] || { echo "no priming list written" >&2; exit 1; }
echo "priming list: $(grep -vc '^#' "$LIST") classes"

for i in $(seq 1 "$ROUNDS"); do
  for side in primed unprimed; do
    env=()
    [ "$side" = primed ] && env=(--env "PRIMING_CLASSES=$LIST")
    ddsls coldstart --jar "$JAR" --handler "$HANDLER" --snapstart --runs 1 --invocations 2 --agent off --event "$EVENT" \
      "${env[@]}" --out "$WORK/$side-$i" --format json > /dev/null
  done
done

python3 - "$WORK" "$ROUNDS" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def pick(side, key):
    out = []
    for i in range(1, rounds + 1):
        r = json.load(open(f"{work}/{side}-{i}/results.json"))
        run = r["runs"][0]
        v = run.get(key)
        if v is None: v = r.get("summary", {}).get(key)
        if isinstance(v, dict): v = v.get("p50")
        out.append(v)
    return out
print("| side | first invocation after restore, p50 ms | min | max | snapshot init p50 ms |")
print("|---|---:|---:|---:|---:|")
for side in ("unprimed", "primed"):
    first = [x for x in pick(side, "firstInvocationAfterRestoreMs") if x is not None]
    init = [x for x in pick(side, "initMs") if x is not None]
    print(f"| {side} | {statistics.median(first):.1f} | {min(first):.1f} | {max(first):.1f} | {statistics.median(init):.1f} |")
PY
