#!/usr/bin/env bash
# What starting ddsls costs: CPU (user + sys) and wall time of short commands, median of N runs each, for one or
# more builds' jars, with the launcher's JVM flags and with the test suite's (C1 only, serial GC, and the class-data
# archive that CliProcess makes beside the jar, when there is one). See docs/benchmarks.md, "Where the CPU goes, starting ddsls".
# Usage: bench/cli-start.sh N JAR...   (the first jar's module tree gives the sample profiles)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=$1; shift
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/profiles"
cp "$ROOT/cli/src/test/resources/datadog/profiles/ddsls-agent-coldstart.pb.gz" "$WORK/profiles/"
echo "| jar | flags | command | CPU ms (median) | wall ms (median) |"
echo "|---|---|---|---|---|"
for jar in "$@"; do
  jsa=$(dirname "$jar")/ddsls-test.jsa
  for flags in launcher suite; do
    if [ $flags = launcher ]; then opts="-XX:+UseParallelGC -XX:MaxTenuringThreshold=0"
    else opts="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"; [ -f "$jsa" ] && opts="$opts -XX:SharedArchiveFile=$jsa -Xlog:cds=off,cds+dynamic=off"; fi
    for cmd in "--version" "diagnose --source $WORK/profiles --format json" "profile top $WORK/profiles/ddsls-agent-coldstart.pb.gz"; do
      cpu=(); wall=()
      for _ in $(seq 1 "$N"); do
        /usr/bin/time -f "%e %U %S" -o "$WORK/t" java $opts -jar "$jar" $cmd > /dev/null 2>&1 || true
        read -r w u s < "$WORK/t"
        cpu+=("$(echo "($u + $s) * 1000 / 1" | bc)"); wall+=("$(echo "$w * 1000 / 1" | bc)")
      done
      med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
      label=${cmd%% /*}; label=${label%% --source*}
      echo "| $jar | $flags | $label | $(med "${cpu[@]}") | $(med "${wall[@]}") |"
    done
  done
done
