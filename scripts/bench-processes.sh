#!/usr/bin/env bash
# Benchmarks of swarmd and swarmctl as an operator runs them: every node and every command is its own
# process, started through the launchers swarmd/bin/swarmd and swarmctl/bin/swarmctl.
#   scripts/bench.sh footprint [--calls N] [--runs K]
#       swarmctl latency and CPU, start-up of a new cluster and of a restarted manager, idle RSS.
#   scripts/bench.sh e2e [--replicas N] [--image IMAGE]
#       1 manager + 2 workers on the machine's Docker engine: service create -> N containers running,
#       service rm -> all gone; also the CPU our three processes used meanwhile.
# Prints one result per line on stdout; progress and the load average go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
swarmd=$PWD/swarmd/bin/swarmd
swarmctl=$PWD/swarmctl/bin/swarmctl
if ! ls swarmd/target/swarmd-*-all.jar swarmctl/target/swarmctl-*-all.jar >/dev/null 2>&1; then
  ./mvnw -B -q package -DskipTests >&2
fi

tmp="$(mktemp -d /tmp/swarmkit-bench.XXXXXX)"
pids=()
service=""
cleanup() {
  if [ -n "$service" ] && [ -S "$tmp/m/s.sock" ]; then
    "$swarmctl" -s "$tmp/m/s.sock" service rm "$service" >/dev/null 2>&1 || true
  fi
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "$service" ] && command -v docker >/dev/null; then
    # Only this run's containers (by service name label); other users of the engine are left alone.
    ids=$(docker ps -aq --filter "label=com.docker.swarm.service.name=$service" 2>/dev/null || true)
    [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port_pair() {
  local p
  for _ in $(seq 1 100); do
    # Below the kernel's ephemeral range (32768+), so no outgoing connection takes it before the bind.
    p=$((10000 + RANDOM % 22000))
    if ! listening "$p" && ! listening $((p + 1)); then echo "$p"; return; fi
  done
  echo "no free port pair" >&2; exit 1
}
rss_mib() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
cpu_seconds() { # user+system CPU of a process, in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}
# Control socket accepts a TLS handshake (openssl), or answers an RPC (swarmctl node ls).
accepts_tls() { [ -S "$1" ] && timeout 2 openssl s_client -unix "$1" -brief </dev/null >/dev/null 2>&1; }
answers() { "$swarmctl" -s "$1" node ls >/dev/null 2>&1; }
wait_until() { # wait_until SECONDS command... ; prints the time it succeeded
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "timed out: $*" >&2; return 1; fi
    sleep 0.02
  done
  now
}
# start_node DIR PORT [swarmd options...]: starts swarmd in the background, sets $node_pid.
start_node() {
  local dir=$1 port=$2; shift 2
  mkdir -p "$dir"
  "$swarmd" -d "$dir" --listen-remote-api "127.0.0.1:$port" "$@" >>"$dir.log" 2>&1 &
  node_pid=$!
  pids+=("$node_pid")
}
stop_node() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=()
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  pids=("${kept[@]}")
}
worker_token() { "$swarmctl" -s "$1" cluster inspect default | awk '/Worker:/ { print $2 }'; }

footprint() {
  local calls=11 runs=3
  while [ $# -gt 0 ]; do
    case "$1" in
      --calls) calls=$2; shift 2 ;;
      --runs) runs=$2; shift 2 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
  local sock="$tmp/m/s.sock" port new=() newtls=() newcpu=() restart=() restarttls=() restartcpu=() t0 t1 t2
  port=$(free_port_pair)
  for run in $(seq 1 "$runs"); do
    rm -rf "$tmp/m" "$tmp/m.log"
    t0=$(now)
    start_node "$tmp/m" "$port" --listen-control-api "$sock" --executor simulated --hostname manager
    t1=$(wait_until 60 accepts_tls "$sock")
    t2=$(wait_until 60 answers "$sock")
    newcpu+=("$(cpu_seconds "$node_pid")")
    newtls+=("$(elapsed "$t0" "$t1")"); new+=("$(elapsed "$t0" "$t2")")
    stop_node "$node_pid"
    t0=$(now)
    start_node "$tmp/m" "$port" --listen-control-api "$sock" --executor simulated --hostname manager
    t1=$(wait_until 60 accepts_tls "$sock")
    restartcpu+=("$(cpu_seconds "$node_pid")")
    t2=$(wait_until 60 answers "$sock")
    restarttls+=("$(elapsed "$t0" "$t1")"); restart+=("$(elapsed "$t0" "$t2")")
    echo "run $run: new cluster tls ${newtls[-1]} s, answers ${new[-1]} s; restart tls ${restarttls[-1]} s, answers ${restart[-1]} s (load $(load))" >&2
    [ "$run" = "$runs" ] || stop_node "$node_pid"
  done
  local manager=$node_pid walls=() cpus=() r
  # swarmctl: wall and CPU (user + system of the whole process tree) per call.
  for _ in $(seq 1 "$calls"); do
    r=$( { TIMEFORMAT='%R %U %S'; time "$swarmctl" -s "$sock" node ls >/dev/null; } 2>&1 )
    walls+=("$(echo "$r" | awk '{ print $1 }')"); cpus+=("$(echo "$r" | awk '{ printf "%.3f", $2 + $3 }')")
  done
  echo "swarmctl node ls: median wall $(printf '%s\n' "${walls[@]}" | median) s, median CPU $(printf '%s\n' "${cpus[@]}" | median) s ($calls calls, load $(load))"
  echo "swarmd new cluster: control socket accepts TLS $(printf '%s\n' "${newtls[@]}" | median) s, answers $(printf '%s\n' "${new[@]}" | median) s; swarmd CPU by then $(printf '%s\n' "${newcpu[@]}" | median) s (median of $runs)"
  echo "swarmd restart: control socket accepts TLS $(printf '%s\n' "${restarttls[@]}" | median) s, answers $(printf '%s\n' "${restart[@]}" | median) s; swarmd CPU at TLS $(printf '%s\n' "${restartcpu[@]}" | median) s (median of $runs)"
  local wport token
  wport=$(free_port_pair)
  token=$(worker_token "$sock")
  start_node "$tmp/w" "$wport" --join-addr "127.0.0.1:$port" --join-token "$token" --executor simulated --hostname worker
  local worker=$node_pid
  wait_until 60 bash -c "[ \"\$('$swarmctl' -s '$sock' node ls | grep -c ' READY ')\" -ge 2 ]" >/dev/null
  sleep 10
  echo "idle manager RSS: $(rss_mib "$manager") MiB, threads $(awk '/Threads/ { print $2 }' "/proc/$manager/status")"
  echo "idle worker RSS: $(rss_mib "$worker") MiB, threads $(awk '/Threads/ { print $2 }' "/proc/$worker/status")"
  echo "load average at the end: $(load)" >&2
}

e2e() {
  local replicas=50 image=local/busybox:1
  while [ $# -gt 0 ]; do
    case "$1" in
      --replicas) replicas=$2; shift 2 ;;
      --image) image=$2; shift 2 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
  local sock="$tmp/m/s.sock" port token nodes=() t0 t1 t2 before=0 after=0 p
  port=$(free_port_pair)
  start_node "$tmp/m" "$port" --listen-control-api "$sock" --hostname bench-1
  nodes+=("$node_pid")
  wait_until 60 answers "$sock" >/dev/null
  token=$(worker_token "$sock")
  for i in 2 3; do
    start_node "$tmp/w$i" "$(free_port_pair)" --join-addr "127.0.0.1:$port" --join-token "$token" --hostname "bench-$i"
    nodes+=("$node_pid")
  done
  wait_until 120 bash -c "[ \"\$('$swarmctl' -s '$sock' node ls | grep -c ' READY ')\" -ge 3 ]" >/dev/null
  sleep 2
  service="bench-$$"
  local filter="label=com.docker.swarm.service.name=$service"
  for p in "${nodes[@]}"; do before=$(awk -v a="$before" -v b="$(cpu_seconds "$p")" 'BEGIN { print a + b }'); done
  echo "3 nodes ready (load $(load)); creating $replicas replicas" >&2
  t0=$(now)
  "$swarmctl" -s "$sock" service create --name "$service" --image "$image" --replicas "$replicas" \
    --command sleep --args 3600 >/dev/null
  t1=$(wait_until 900 bash -c "[ \"\$(docker ps -q --filter '$filter' --filter status=running | wc -l)\" -ge $replicas ]")
  for p in "${nodes[@]}"; do after=$(awk -v a="$after" -v b="$(cpu_seconds "$p")" 'BEGIN { print a + b }'); done
  echo "e2e create: $replicas containers running after $(elapsed "$t0" "$t1") s; swarmd CPU meanwhile $(elapsed "$before" "$after") s (3 processes, load $(load))"
  sleep 5 # the agents see the containers running a moment after the engine does
  echo "e2e threads with $replicas containers running: $(for p in "${nodes[@]}"; do awk '/Threads/ { printf "%s ", $2 }' "/proc/$p/status"; done)(manager, worker, worker)"
  t0=$(now)
  "$swarmctl" -s "$sock" service rm "$service" >/dev/null
  t2=$(wait_until 900 bash -c "[ \"\$(docker ps -aq --filter '$filter' | wc -l)\" -eq 0 ]")
  service=""
  echo "e2e rm: all $replicas containers gone after $(elapsed "$t0" "$t2") s (load $(load))"
}

case "${1:-}" in
  footprint) shift; footprint "$@" ;;
  e2e) shift; e2e "$@" ;;
  *) echo "usage: bench-processes.sh footprint|e2e [options]" >&2; exit 2 ;;
esac
