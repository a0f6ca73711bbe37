// mocha runs the TypeScript tests directly (Node >= 22.18 strips types); packages resolve to their
// src/ through the "molrl-src" export condition, so tests need no build.
module.exports = {
  spec: ['packages/*/test/**/*.test.ts', 'plugins/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
  extension: ['ts'],
  'node-option': ['no-node-snapshot', 'conditions=molrl-src', 'disable-warning=ExperimentalWarning'],
  'forbid-only': true,
  timeout: 60000,
  reporter: 'spec',
  exit: true,
};
