#!/usr/bin/env bash
# npm test: type-check and build, then the mocha suite (TypeScript) and, beside it, the pytest suites (policy
# server; the Python client against a real molrl serve with the real TRL / verl / SandboxFusion / OpenRLHF
# clients), whose output follows mocha's. All suites always run; the exit code is non-zero when any fails.
set -uo pipefail
cd "$(dirname "$0")/.."
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 22 ]; then
  echo "molrl: Node $(node --version) is too old (need >= 22). Run 'npm run setup' first; it installs Node 24." >&2
  exit 1
fi
echo "== build (protocol files generated from the schemas, tsc -b)"
npm run --silent build || exit 1
echo "== type-check tests (tsc -p tsconfig.tests.json)"
npx tsc -p tsconfig.tests.json || exit 1
status=0
python=${MOLRL_PYTHON:-.venv/bin/python}
have_python=1
if [ ! -x "$python" ] && ! command -v "$python" >/dev/null 2>&1; then
  echo "molrl: $python not found: run 'npm run setup' (it creates .venv), or set MOLRL_PYTHON" >&2
  status=1
  have_python=0
fi

# The pytest suites, one after the other, each into $logs/NAME.log with its exit code in $logs/NAME.rc.
pytest_suites() {
  if [ -d packages/policy-server/tests ]; then
    "$python" -m pytest -q -rs packages/policy-server/tests >"$logs/policy-server.log" 2>&1
    echo $? >"$logs/policy-server.rc"
  fi
  "$python" -m pytest -q -rs packages/python-client/tests >"$logs/python-client.log" 2>&1
  echo $? >"$logs/python-client.rc"
}
# Prints a suite's output under its heading; a suite that did not finish (or failed) sets status=1.
report_pytest() {
  echo "== pytest ($2)"
  if [ ! -f "$logs/$1.rc" ] && [ "$1" = policy-server ] && [ ! -d packages/policy-server/tests ]; then
    echo "no policy-server tests yet"
    return
  fi
  cat "$logs/$1.log" 2>/dev/null
  [ "$(cat "$logs/$1.rc" 2>/dev/null)" = 0 ] || status=1
}

# The pytest suites run beside mocha (MOLRL_TEST_SERIAL=1: after it): on 2 cores mocha leaves a core mostly idle
# (it waits on processes, containers and timeouts), and no test of one suite looks at the other's processes,
# containers (labelled per pool and pid), ports (0: picked free) or files (temporary directories).
logs=$(mktemp -d "${TMPDIR:-/tmp}/molrl-test-XXXXXX")
pytest_pid=
stop_pytest() {
  [ -n "$pytest_pid" ] && kill -INT -- "-$pytest_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$logs"
  exit 130
}
trap stop_pytest INT TERM
if [ "$have_python" = 1 ] && [ "${MOLRL_TEST_SERIAL:-}" != 1 ]; then
  echo "== pytest (policy server, then python client against molrl serve): running beside mocha, output after it"
  set -m # its own process group, not ignoring SIGINT (a Ctrl-C here is passed on to it by stop_pytest)
  pytest_suites </dev/null &
  pytest_pid=$!
  set +m
fi
echo "== mocha"
npx mocha "$@" || status=1
if [ "$have_python" = 1 ]; then
  if [ -n "$pytest_pid" ]; then
    wait "$pytest_pid"
  else
    pytest_suites
  fi
  report_pytest policy-server "policy server"
  report_pytest python-client "python client against molrl serve"
fi
rm -rf "$logs"
exit $status
