#!/usr/bin/env bash
# ddsls diagnose at scale: 1,000,000 spans and 2,000 pprof profiles, read from a directory and from a ddsls collect
# store, each with -Xmx1g; then JFR parsing, ddsls against async-profiler's jfr-converter. See docs/benchmarks.md.
# Usage: bench/diagnose-bench.sh [WORKDIR]   (after `mvn -B -o package -pl cli -am -DskipTests`)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${1:-/tmp/ddsls-diagnose-bench}
JAR=${DDSLS_JAR:-$ROOT/cli/target/ddsls.jar}
AGENT=${DDSLS_AGENT_JAR:-$ROOT/cli/target/layer/ddsls/ddsls-agent.jar}
M2=${M2_REPO:-$HOME/.m2/repository}
CONVERTER=$M2/tools/profiler/jfr-converter/4.2/jfr-converter-4.2.jar
ASPROF_JAR=$M2/tools/profiler/async-profiler/4.2/async-profiler-4.2.jar
mkdir -p "$WORK"
# async-profiler's converter is no dependency of the build: fetched for the JFR comparison when missing.
[ -f "$CONVERTER" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:jfr-converter:4.2

if [ ! -f "$WORK/data/spans-000.jsonl" ]; then
  java -cp "$AGENT" "$ROOT/bench/DiagnoseBenchData.java" generate "$WORK/data"
fi
echo "data: $(du -shL "$WORK/data" | cut -f1), $(ls "$WORK/data/profiles" | wc -l) profiles; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# Runs diagnose with -Xmx1g and the GC settings the ./ddsls launcher gives batch commands; prints wall time, exit code, peak used heap (largest "before" of a GC line) and RSS.
run() {
  local name=$1; shift
  local gc=$WORK/gc-$name.log
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time-$name.txt" java -Xmx1g -XX:+UseParallelGC -XX:MaxTenuringThreshold=0 -Xlog:gc:file="$gc" -jar "$JAR" diagnose "$@" --format json --quiet \
    > "$WORK/report-$name.json" 2> "$WORK/stderr-$name.txt" && rc=0 || rc=$?
  local peak
  peak=$(grep -o '[0-9]*M->' "$gc" | sed 's/M->//' | sort -n | tail -1)
  read -r wall rss usr sys < <(tail -1 "$WORK/time-$name.txt")
  echo "| $name | $rc | ${wall} s | $(echo "$usr + $sys" | bc) s | ${peak:-?} MiB | $((rss / 1024)) MiB |"
}

echo "| source | exit | wall | CPU (user+sys) | peak heap used (GC log) | max RSS |"
echo "|---|---|---|---|---|---|"
run directory --source "$WORK/data"

rm -rf "$WORK/store"
java -Xmx512m -jar "$JAR" collect --port 0 --data "$WORK/store" > "$WORK/collector.log" 2>&1 &
COLLECTOR=$!
trap 'kill $COLLECTOR 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/collector.log" 2>/dev/null && break; sleep 0.2; done
URL=$(grep -o 'http://[0-9.]*:[0-9]*' "$WORK/collector.log" | head -1)
start=$(date +%s.%N)
java -cp "$AGENT" "$ROOT/bench/DiagnoseBenchData.java" load "$WORK/data" "$URL" > "$WORK/load.txt"
echo "(loaded into $URL in $(echo "$(date +%s.%N) - $start" | bc | cut -c1-5) s: $(cat "$WORK/load.txt"))" >&2
# Let the collector finish the background work of the load (WAL checkpoints) so that only diagnose is timed.
cpu() { awk '{print $14 + $15}' "/proc/$COLLECTOR/stat"; }
for _ in $(seq 1 60); do a=$(cpu); sleep 1; [ "$(cpu)" = "$a" ] && break; done
run collector --source "$URL"
kill $COLLECTOR; wait $COLLECTOR 2>/dev/null || true
trap - EXIT

# JFR files: the JDK's recorder and async-profiler (jfr output), both profiling diagnose on the data above.
if [ ! -f "$WORK/jdk.jfr" ]; then
  java -Xmx1g -XX:StartFlightRecording:filename="$WORK/jdk.jfr",settings=profile -jar "$JAR" diagnose --source "$WORK/data" --format json --quiet > /dev/null 2>&1
fi
if [ ! -f "$WORK/async.jfr" ]; then
  mkdir -p "$WORK/asprof" && (cd "$WORK/asprof" && unzip -oq "$ASPROF_JAR" 'linux-x64/*')
  java -Xmx1g -agentpath:"$WORK/asprof/linux-x64/libasyncProfiler.so=start,event=cpu,interval=1ms,wall=10ms,file=$WORK/async.jfr,jfr" \
    -jar "$JAR" diagnose --source "$WORK/data" --format json --quiet > /dev/null 2>&1
fi
LIB=$(dirname "$JAR")/lib
CP=$LIB/ddsls-analysis-0.1.0-SNAPSHOT.jar:$LIB/ddsls-formats-0.1.0-SNAPSHOT.jar:$(ls "$LIB"/jackson-*.jar | tr '\n' ':')$CONVERTER
java -cp "$CP" "$ROOT/bench/JfrParseBench.java" 9 "$WORK/jdk.jfr" "$WORK/async.jfr"
