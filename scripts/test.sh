#!/usr/bin/env bash
# npm test: type-check and build, then the mocha suite (TypeScript), then the pytest suites (policy server; the
# Python client against a real molrl serve with the real TRL / verl / SandboxFusion / OpenRLHF clients).
# Both suites always run; the exit code is non-zero when either fails.
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
echo "== mocha"
npx mocha "$@" || status=1
echo "== pytest (policy server)"
python=${MOLRL_PYTHON:-.venv/bin/python}
if [ ! -x "$python" ] && ! command -v "$python" >/dev/null 2>&1; then
  echo "molrl: $python not found: run 'npm run setup' (it creates .venv), or set MOLRL_PYTHON" >&2
  status=1
elif [ -d packages/policy-server/tests ]; then
  "$python" -m pytest -q -rs packages/policy-server/tests || status=1
else
  echo "no policy-server tests yet"
fi
if [ -x "$python" ] || command -v "$python" >/dev/null 2>&1; then
  echo "== pytest (python client against molrl serve)"
  "$python" -m pytest -q -rs packages/python-client/tests || status=1
fi
exit $status
