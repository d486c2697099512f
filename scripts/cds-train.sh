#!/usr/bin/env bash
# Trains the class-data-sharing archives the launchers use (swarmd/target/swarmd.jsa and
# swarmctl/target/swarmctl.jsa): starts a scratch single-node swarm with the simulated executor through
# swarmd/bin/swarmd, runs swarmctl's usual commands against it in one JVM (dev.swarmkit.swarmctl.CdsTraining),
# then stops the node; each JVM archives the classes it loaded when it exits. './mvnw package' runs
# this after building both jars (skip with -Dcds.skip); without archives the launchers just start slower.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls swarmd/target/swarmd-*-all.jar swarmctl/target/swarmctl-*-all.jar >/dev/null 2>&1; then
  echo "cds-train: swarmd and swarmctl jars not both built; no archives trained" >&2
  exit 0
fi
tmp="$(mktemp -d /tmp/swarmkit-cds.XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port_pair() {
  for _ in $(seq 1 50); do
    # Below the kernel's ephemeral range (32768+), so no outgoing connection takes it before the bind.
    local p=$((10000 + RANDOM % 22000))
    if ! listening "$p" && ! listening $((p + 1)); then echo "$p"; return 0; fi
  done
  return 1
}

sock="$tmp/swarmd.sock"
# Starts the training node and waits until it answers; returns non-zero if it exits or never answers.
start_node() {
  local port
  port="$(free_port_pair)" || { echo "cds-train: no free port pair found" >&2; return 1; }
  rm -rf "$tmp/node" "$sock"
  SWARMD_CDS_DUMP="$tmp/swarmd.jsa" swarmd/bin/swarmd -d "$tmp/node" --hostname cds-training \
    --listen-control-api "$sock" --listen-remote-api "127.0.0.1:$port" --executor simulated >"$tmp/swarmd.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do
    if SWARMCTL_CDS_ARCHIVE=/nonexistent swarmctl/bin/swarmctl -s "$sock" node ls >/dev/null 2>&1; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  return 1
}
# A port found free can be taken before the node binds it (other builds or tests on the machine):
# try again on another pair before giving up.
ready=""
for attempt in 1 2 3; do
  if start_node; then ready=1; break; fi
  echo "cds-train: the training node did not start (attempt $attempt of 3). Its log:" >&2
  tail -n 20 "$tmp/swarmd.log" >&2
done
if [ -z "$ready" ]; then
  echo "cds-train: no archives trained" >&2
  exit 1
fi
# Bounded: a command that never finishes must not hang the build (SIGTERM still writes the archive).
if ! SWARMCTL_CDS_DUMP="$tmp/swarmctl.jsa" timeout 300 swarmctl/bin/swarmctl "$sock" >"$tmp/swarmctl.log" 2>&1; then
  echo "cds-train: some training commands failed (the archive is still usable):" >&2
  grep -v '^\[' "$tmp/swarmctl.log" >&2 || true
fi
kill -TERM "$pid"
wait "$pid" || true
pid=""
for name in swarmd swarmctl; do
  if [ -s "$tmp/$name.jsa" ]; then
    mv -f "$tmp/$name.jsa" "$name/target/$name.jsa"
    echo "cds-train: wrote $name/target/$name.jsa ($(du -m "$name/target/$name.jsa" | cut -f1) MiB)"
  else
    echo "cds-train: $name archive not written; see the JVM's output:" >&2
    grep -v 'Pre JDK 6 class\|Skipping' "$tmp/$name.log" 2>/dev/null | tail -n 5 >&2 || true
  fi
done
