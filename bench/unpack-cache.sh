#!/usr/bin/env bash
# The CPU of `ddsls coldstart` itself (its function JVM apart) with ddsls's package cache empty (the package is
# unpacked: some 12,000 files for a real function) and filled (DIR/task-root links to the copy), alternately, N times
# each. Reads /proc through bench/suite-cpu.py. See docs/benchmarks.md, "A package unpacked once".
#
#   bench/unpack-cache.sh [N] [JAR] [HANDLER]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${1:-3}
jar=${2:-cli/target/examples/ddsls-example-aws-sdk.jar}
handler=${3:-example.sdk.OrdersHandler::handleRequest}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq "$n"); do
  for cache in empty filled; do
    [ "$cache" = empty ] && rm -rf "$work/cache"
    DDSLS_CACHE_DIR="$work/cache" python3 bench/suite-cpu.py -- java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
      -jar cli/target/ddsls.jar coldstart --jar "$jar" --handler "$handler" --agent off --runs 1 --invocations 1 \
      --out "$work/out-$i-$cache" --format json 2>/dev/null | grep "| ddsls coldstart |" | sed "s/^/cache $cache /"
  done
done
