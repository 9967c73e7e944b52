#!/usr/bin/env bash
# Task root vs the package on the class path: the same function's cold start under `ddsls coldstart`, started from the
# unpacked task root (as Lambda starts it) and, with the hidden diagnostic --package-on-class-path, with its jar on the
# class path (ddsls's earlier start). Interleaved round by round (A B A B ...) so machine drift hits both alike; each
# round is one `coldstart --runs 2` per start whose first run is discarded (it shares the machine with the fresh CLI).
# The function's JVM runs under a small java wrapper that appends the JVM's CPU time (user + sys, bash's `times` for
# its child) to a file: CPU time does not move with the other processes' load as wall time does.
# Usage: bench/task-root.sh [ROUNDS] [JAR HANDLER]...   (default: 8 rounds of the Spring Boot and AWS SDK examples)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-8}; shift || true
if [ $# -eq 0 ]; then
  set -- cli/target/examples/ddsls-example-spring-boot.jar example.spring.StreamLambdaHandler::handleRequest \
         cli/target/examples/ddsls-example-aws-sdk.jar example.sdk.OrdersHandler::handleRequest
fi
out=$(mktemp -d)
echo "results in $out; load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
java_bin=$(readlink -f "$(command -v java)")
cat > "$out/java" <<SH
#!/usr/bin/env bash
# Runs java as a child so that 'times' reports its CPU; SIGTERM (coldstart's shutdown) is passed on.
"$java_bin" "\$@" &
child=\$!
trap 'kill -TERM \$child 2>/dev/null' TERM
wait \$child; wait \$child 2>/dev/null
times > "\$CPU_OUT.times"   # not in a pipe: a subshell's 'times' would not see this shell's child
tail -1 "\$CPU_OUT.times" >> "\$CPU_OUT"
SH
chmod +x "$out/java"
for i in $(seq 1 "$rounds"); do
  args=("$@")
  for ((k = 0; k < ${#args[@]}; k += 2)); do
    jar=${args[k]}; handler=${args[k+1]}; name=$(basename "$jar" .jar)
    for start in task-root class-path; do
      extra=(); if [ "$start" = class-path ]; then extra=(--package-on-class-path); fi
      ./ddsls coldstart --jar "$jar" --handler "$handler" --agent off --runs 2 --invocations 2 "${extra[@]}" \
        --java "$out/java" --env "CPU_OUT=$out/$name-$start-$i.cpu" --out "$out/$name-$start-$i" --format json > /dev/null
    done
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" "$rounds" "$@" <<'PY'
import json, statistics, sys
out, rounds, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for jar in args[0::2]:
    name = jar.rsplit("/", 1)[-1][:-4]
    init, first, cpu = {}, {}, {}
    for start in ("task-root", "class-path"):
        init[start], first[start], cpu[start] = [], [], []
        for i in range(1, rounds + 1):
            run = json.load(open(f"{out}/{name}-{start}-{i}/results.json"))["runs"][1]
            init[start].append(run["initMs"]); first[start].append(run["invocationsMs"][0])
            # 'times' prints the children's "1m2.345s 0m0.678s": user and sys of the second run's JVM.
            line = open(f"{out}/{name}-{start}-{i}.cpu").read().split("\n")[1].split()
            cpu[start].append(sum(int(t.split("m")[0]) * 60000 + float(t.split("m")[1][:-1]) * 1000 for t in line))
    for start in ("task-root", "class-path"):
        print(f"{name:26} {start:10}  init p50 {statistics.median(init[start]):7.1f} ms  mean {statistics.mean(init[start]):7.1f}"
              f"  JVM CPU p50 {statistics.median(cpu[start]):7.1f} ms  first invocation p50 {statistics.median(first[start]):6.1f} ms"
              f"  n {len(init[start])}")
    for what, v in (("init", init), ("JVM CPU", cpu)):
        diffs = [a - b for a, b in zip(v["task-root"], v["class-path"])]
        print(f"{name:26} paired {what} difference (task-root - class-path, per round): median {statistics.median(diffs):+.1f} ms,"
              f" {sum(d < 0 for d in diffs)} of {len(diffs)} rounds lower from the task root")
PY
