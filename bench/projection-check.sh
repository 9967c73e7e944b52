#!/usr/bin/env bash
# Checks init-cpu-starved's projection against measured cold starts: measures a function at BASE MB with Lambda's
# CPU share (--cpu-limit), takes the projection diagnose makes from that profile alone, then measures the function at
# the other sizes and prints the projected range and model vs the measured init duration (p50 of the cold starts).
# Usage: bench/projection-check.sh [JAR HANDLER] (default: the AWS SDK example). Env: SIZES (default "512 1024 1769"),
# BASE (default 512), RUNS (default 3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jar=${1:-cli/target/examples/ddsls-example-aws-sdk.jar}
handler=${2:-example.sdk.OrdersHandler::handleRequest}
sizes=${SIZES:-512 1024 1769}; base=${BASE:-512}; runs=${RUNS:-3}
out=$(mktemp -d)
for mb in $base $sizes; do
  [ -d "$out/$mb" ] && continue
  ./ddsls coldstart --jar "$jar" --handler "$handler" --runs "$runs" --invocations 2 --memory "$mb" --cpu-limit \
    --out "$out/$mb" --format json > /dev/null
  ./ddsls diagnose --source "$out/$mb" --format json > "$out/$mb.json"
done
python3 - "$out" "$base" $sizes <<'PY'
import json, sys
out, base, sizes = sys.argv[1], sys.argv[2], sys.argv[3:]
def fn(mb): return json.load(open(f"{out}/{mb}.json"))["functions"][0]
b = fn(base)
starved = [f for f in b["findings"] if f["id"] == "init-cpu-starved"]
if not starved: sys.exit(f"no init-cpu-starved at {base} MB: nothing to project from")
ev = starved[0]["evidence"]
proj, rng = ev["projectionMs"], ev["projectionRangeMs"]
print(f"projected from {base} MB (measured stretch {ev['measuredStretch']}): {rng}")
print(f"{'MB':>6} {'model':>8} {'range':>17} {'measured':>9} {'model err':>9} {'in range':>8}   (init ms per cold start, p50)")
for mb in sizes:
    f = fn(mb)
    measured = f["initMs"]["p50"]
    p, r = proj.get(mb), rng.get(mb)
    if p is None: print(f"{mb:>6} {'-':>8}"); continue
    inside = "yes" if r[0] <= measured <= r[1] else "no"
    print(f"{mb:>6} {p:>8.0f} {r[0]:>8.0f}-{r[1]:<8.0f} {measured:>9.1f} {(p - measured) * 100 / measured:+8.1f}% {inside:>8}")
PY
