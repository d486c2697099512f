#!/usr/bin/env bash
# Builds swarmd and swarmctl, brings up the local Docker engine and test image, and starts a
# single-node swarm in the background:
#   state dir      ./state/node-1
#   control socket ./state/node-1/swarm.sock   (export SWARM_SOCKET=$PWD/state/node-1/swarm.sock)
#   remote API     127.0.0.1:4242
#   log            ./state/node-1/swarmd.log
# Stop it with: kill "$(cat state/node-1/swarmd.pid)"
set -euo pipefail
cd "$(dirname "$0")/.."

echo "quickstart: building (./mvnw -B -q package -DskipTests) ..."
./mvnw -B -q package -DskipTests

executor=docker
if [ "$(id -u)" = 0 ]; then
  bash scripts/setup-docker.sh
else
  echo "quickstart: not root: skipping scripts/setup-docker.sh; tasks run on Docker only if it is already up" >&2
fi

dir="$PWD/state/node-1"
mkdir -p "$dir"
if [ -f "$dir/swarmd.pid" ] && kill -0 "$(cat "$dir/swarmd.pid")" 2>/dev/null; then
  echo "quickstart: swarmd already running (pid $(cat "$dir/swarmd.pid"))"
else
  nohup swarmd/bin/swarmd -d "$dir" --hostname node-1 \
    --listen-control-api "$dir/swarm.sock" --listen-remote-api 127.0.0.1:4242 \
    --executor "$executor" >"$dir/swarmd.log" 2>&1 </dev/null &
  echo $! >"$dir/swarmd.pid"
  echo -n "quickstart: starting swarmd (pid $(cat "$dir/swarmd.pid"))"
  for _ in $(seq 1 60); do
    if [ -S "$dir/swarm.sock" ] && SWARM_SOCKET="$dir/swarm.sock" swarmctl/bin/swarmctl node ls >/dev/null 2>&1; then
      break
    fi
    if ! kill -0 "$(cat "$dir/swarmd.pid")" 2>/dev/null; then
      echo; echo "quickstart: swarmd exited; see $dir/swarmd.log" >&2; tail -n 20 "$dir/swarmd.log" >&2; exit 1
    fi
    echo -n "."
    sleep 1
  done
  echo
fi
export SWARM_SOCKET="$dir/swarm.sock"
swarmctl/bin/swarmctl node ls
echo
echo "quickstart: a single-node swarm is running. Next:"
echo "  export SWARM_SOCKET=$dir/swarm.sock"
echo "  swarmctl/bin/swarmctl service create --name web --image local/busybox:1 --replicas 3 --command sleep --args 600"
