#!/usr/bin/env bash
# npm run test:languages: the tests that need the multi-language sandbox image (npm run setup -- --languages all).
# They skip loudly in `npm test` (also on CI: the image takes minutes to build, see BENCHMARKS.md); here a
# missing image fails them (MOLRL_TEST_LANGUAGES=1).
set -uo pipefail
cd "$(dirname "$0")/.."
export MOLRL_TEST_LANGUAGES=1
exec npx mocha "$@" \
  packages/sandbox/test/docker/languages.test.ts \
  packages/sandbox/test/docker/image-freshness.test.ts \
  plugins/code-execution/test/score-io.test.ts \
  plugins/code-execution/test/readme-example.test.ts \
  packages/cli/test/commands/sandbox.test.ts
