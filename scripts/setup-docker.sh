#!/usr/bin/env bash
# Brings up a local Docker engine and a tiny local image for executor-docker's tests.
#
# Idempotent; meant to run as root on a fresh Debian machine (CI=true or not) where only the
# Debian/Maven/npm package registries are reachable, and without systemd:
#   1. if an engine already answers on /var/run/docker.sock, it is used as is;
#   2. otherwise installs Debian's docker.io and busybox-static (one `apt-get update` first, only
#      when something is missing) and starts dockerd in the background, logging to
#      $DOCKERD_LOG (default /var/log/dockerd.log), waiting up to $DOCKERD_TIMEOUT seconds;
#   3. builds the image $TEST_IMAGE (default local/busybox:1) with `docker import` from a
#      tarball holding busybox-static and its applet symlinks (no entrypoint, so a task's
#      command runs as given), unless that image already exists.
# Exits non-zero with a clear message when the engine cannot be brought up.
set -euo pipefail

SOCK=/var/run/docker.sock
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
DOCKERD_TIMEOUT=${DOCKERD_TIMEOUT:-60}
TEST_IMAGE=${TEST_IMAGE:-local/busybox:1}
export DEBIAN_FRONTEND=noninteractive

say() { echo "setup-docker: $*"; }
die() { echo "setup-docker: ERROR: $*" >&2; exit 1; }

engine_up() { docker -H "unix://$SOCK" info >/dev/null 2>&1; }

apt_updated=false
apt_install() {
  if ! $apt_updated; then
    say "apt-get update"
    apt-get update -qq || die "apt-get update failed"
    apt_updated=true
  fi
  say "apt-get install $*"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}

[ "$(id -u)" = 0 ] || die "must run as root"

# --- packages --------------------------------------------------------------------------------
missing=()
engine_up || command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
else
  say "packages already installed"
fi
# docker.io brings its own client; prefer whichever `docker` is on PATH (either speaks to 1.41).
command -v docker >/dev/null 2>&1 || die "no docker client on PATH after installing docker.io"

# --- engine ----------------------------------------------------------------------------------
if engine_up; then
  say "engine already answers on $SOCK"
else
  command -v dockerd >/dev/null 2>&1 || die "dockerd not found after installing docker.io"
  # A stale pid/socket from an engine that died would make the new one refuse to start.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    rm -f /var/run/docker.pid
  fi
  if [ -f /var/run/docker.pid ]; then
    say "dockerd already running (pid $(cat /var/run/docker.pid)); waiting for it"
  else
    rm -f "$SOCK"
    # containerd ships with docker.io; dockerd starts its own managed containerd when none runs.
    say "starting dockerd in the background (log: $DOCKERD_LOG)"
    nohup dockerd --host "unix://$SOCK" >>"$DOCKERD_LOG" 2>&1 </dev/null &
    disown || true
  fi
  deadline=$((SECONDS + DOCKERD_TIMEOUT))
  until engine_up; do
    if [ $SECONDS -ge $deadline ]; then
      tail -n 30 "$DOCKERD_LOG" >&2 || true
      die "Docker engine did not answer on $SOCK within ${DOCKERD_TIMEOUT}s (see $DOCKERD_LOG)"
    fi
    sleep 1
  done
  say "engine up: $(docker -H "unix://$SOCK" version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
fi

# --- test image ------------------------------------------------------------------------------
if docker -H "unix://$SOCK" image inspect "$TEST_IMAGE" >/dev/null 2>&1; then
  say "image $TEST_IMAGE already present"
else
  busybox=/bin/busybox
  [ -x "$busybox" ] || die "$busybox missing (busybox-static not installed?)"
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/root"
  chmod 1777 "$root/tmp"
  cp "$busybox" "$root/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  mkdir -p "$root/usr"
  ln -s ../bin "$root/usr/bin"
  ln -s bin "$root/sbin"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  say "importing $TEST_IMAGE from busybox-static ($("$busybox" --list | wc -l) applets)"
  tar -C "$root" -c . | docker -H "unix://$SOCK" import \
      --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - "$TEST_IMAGE" >/dev/null
  say "image $TEST_IMAGE built"
fi
say "ready: engine on unix://$SOCK, test image $TEST_IMAGE"
