#!/usr/bin/env bash
# Builds molrl/sandbox-python:<version> when it is missing or its runner/Dockerfile changed (idempotent).
# Tries the registry build (python:3.12-slim + pip) first; where no registry is reachable, builds an
# offline base with debootstrap from the Debian mirror apt already uses, imports it, and builds on it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(node -p "require('$here/../../packages/sandbox/package.json').version")
image=${MOLRL_SANDBOX_IMAGE:-molrl/sandbox-python:$version}
base_image=${MOLRL_BASE_IMAGE:-molrl/sandbox-base:bookworm}
force=${MOLRL_FORCE_IMAGE_BUILD:-0}
say() { echo "[molrl image] $*"; }
# docker build quietly; its output is shown only when it fails.
build() {
  local log
  log=$(mktemp)
  if ! docker build -q --label "molrl.runner-sha256=$hash" -t "$image" "$@" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; say "docker build failed"; exit 1
  fi
  rm -f "$log"
}

# The same files, in the same order, as packages/sandbox/src/docker/image-freshness.ts hashes.
hash=$(cd "$here" && cat runner.py zygote.py judge.py serve.py wire.py languages.py Dockerfile Dockerfile.offline | sha256sum | cut -c1-64)
current=$(docker image inspect -f '{{ index .Config.Labels "molrl.runner-sha256" }}' "$image" 2>/dev/null || true)
if [ "$force" != 1 ] && [ "$current" = "$hash" ]; then
  say "$image is up to date"
  exit 0
fi
[ -n "$current" ] && say "$image is stale (runner or Dockerfile changed): rebuilding"

if [ "${MOLRL_OFFLINE_IMAGE:-0}" != 1 ] && timeout 120 docker pull -q python:3.12-slim >/dev/null 2>&1; then
  say "building $image from python:3.12-slim"
  build -f "$here/Dockerfile" "$here"
  say "built $image"
  exit 0
fi

say "no image registry reachable: building offline from Debian packages"
if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || { say "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
  # The mirror apt already uses (deb822 .sources or one-line sources.list); never hard-coded.
  mirror=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources || true; grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list || true; } \
           | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
  [ -n "$mirror" ] || { say "cannot find a Debian mirror in apt's sources"; exit 1; }
  rootfs=$(mktemp -d /var/tmp/molrl-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  say "debootstrap bookworm (python3, numpy, sympy) from $mirror into $rootfs (about a minute)"
  debootstrap --variant=minbase --include=python3,python3-numpy,python3-sympy bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { say "debootstrap failed; log: $rootfs.log"; tail -n 20 "$rootfs.log"; exit 1; }
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc "$rootfs"/usr/share/man "$rootfs"/usr/share/locale
  say "importing $base_image"
  tar -C "$rootfs" -c . | docker import - "$base_image" >/dev/null
  rm -f "$rootfs.log"
fi
say "building $image from $base_image"
build --build-arg "BASE=$base_image" -f "$here/Dockerfile.offline" "$here"
say "built $image"
