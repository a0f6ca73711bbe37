#!/usr/bin/env bash
# Builds molrl/sandbox-languages:<version> (Python, C, C++, Java, Go, Rust, Node.js, TypeScript, Bash) when it is
# missing or its runner, Dockerfile or package list changed (idempotent). Offline from Debian packages: debootstrap
# of packages.txt from the mirror apt already uses into a base image, then the runner on top (Dockerfile).
# Run by `npm run setup -- --languages all`; takes minutes and about 1.5 GB of disk (see BENCHMARKS.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
images=$(dirname "$here")
version=$(node -p "require('$images/../packages/sandbox/package.json').version")
image=${MOLRL_LANGUAGES_IMAGE:-molrl/sandbox-languages:$version}
base_image=${MOLRL_LANGUAGES_BASE_IMAGE:-molrl/sandbox-languages-base:bookworm}
force=${MOLRL_FORCE_IMAGE_BUILD:-0}
say() { echo "[molrl languages image] $*"; }
started=$SECONDS

packages=$(grep -v '^\s*#' "$here/packages.txt" | grep -v '^\s*$' | paste -sd, -)
packages_hash=$(printf '%s' "$packages" | sha256sum | cut -c1-64)
# The same files, in the same order, as packages/sandbox/src/docker/image-freshness.ts hashes (IMAGE_SOURCES.languages).
hash=$(cd "$images" && cat python/runner.py python/zygote.py python/judge.py python/serve.py python/wire.py python/languages.py languages/Dockerfile languages/packages.txt | sha256sum | cut -c1-64)
current=$(docker image inspect -f '{{ index .Config.Labels "molrl.runner-sha256" }}' "$image" 2>/dev/null || true)
if [ "$force" != 1 ] && [ "$current" = "$hash" ]; then
  say "$image is up to date"
  exit 0
fi
[ -n "$current" ] && say "$image is stale (runner, Dockerfile or packages changed): rebuilding"

base_current=$(docker image inspect -f '{{ index .Config.Labels "molrl.packages-sha256" }}' "$base_image" 2>/dev/null || true)
if [ "$base_current" != "$packages_hash" ]; then
  command -v debootstrap >/dev/null || { say "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
  # The mirror apt already uses (deb822 .sources or one-line sources.list); never hard-coded.
  mirror=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources || true; grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list || true; } \
           | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
  [ -n "$mirror" ] || { say "cannot find a Debian mirror in apt's sources"; exit 1; }
  rootfs=$(mktemp -d /var/tmp/molrl-languages-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  say "debootstrap bookworm ($packages) from $mirror into $rootfs (several minutes)"
  debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { say "debootstrap failed; log: $rootfs.log"; tail -n 20 "$rootfs.log"; exit 1; }
  say "debootstrap done after $((SECONDS - started)) s"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc "$rootfs"/usr/share/man \
         "$rootfs"/usr/share/locale "$rootfs"/usr/lib/go-*/test "$rootfs"/usr/share/go-*/test
  say "importing $base_image"
  tar -C "$rootfs" -c . | docker import -c "LABEL molrl.packages-sha256=$packages_hash" - "$base_image" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  trap - EXIT
fi

say "building $image from $base_image"
log=$(mktemp)
if ! docker build -q --label "molrl.runner-sha256=$hash" --build-arg "BASE=$base_image" -t "$image" -f "$here/Dockerfile" "$images" >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; say "docker build failed"; exit 1
fi
rm -f "$log"
size=$(docker image inspect -f '{{ .Size }}' "$image")
say "built $image in $((SECONDS - started)) s ($((size / 1000000)) MB)"
