#!/usr/bin/env bash
# Runs a benchmark: scripts/bench.sh NAME [options], e.g.
#   scripts/bench.sh scheduler --nodes 1000 --tasks 10000 [--constraints]
#   scripts/bench.sh store
#   scripts/bench.sh footprint [--calls N] [--runs K]     (separate swarmd/swarmctl processes)
#   scripts/bench.sh e2e --replicas N                     (three swarmd processes on the Docker engine)
#   scripts/bench.sh e2e --in-jvm --replicas N            (the three nodes inside one JVM)
#   scripts/bench.sh swarm --managers 3 --nodes 100 --tasks 10000   (managers as separate swarmd processes)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  footprint) exec bash scripts/bench-processes.sh "$@" ;;
  e2e)
    if [[ " $* " != *" --in-jvm "* ]]; then exec bash scripts/bench-processes.sh "$@"; fi
    args=()
    for a in "$@"; do [ "$a" = "--in-jvm" ] || args+=("$a"); done
    set -- "${args[@]}" ;;
esac
if [ ! -f bench/target/classpath.txt ] || [ -n "${BENCH_REBUILD:-}" ]; then
  ./mvnw -B -q -pl bench -am package -DskipTests >&2
fi
opts="-Xmx8g"
if [ "${1:-}" = swarm ]; then
  # The swarm bench's agents stand for swarmd workers: the same compiler settings as swarmd's launcher
  # (swarmd/bin/swarmd.jvm-options); its managers run with that file's options.
  opts="$opts -XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=5"
fi
exec java ${BENCH_JAVA_OPTS:-$opts} -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
  dev.swarmkit.bench.BenchMain "$@"
