// mocha runs the TypeScript tests directly (Node >= 22.18 strips types); packages resolve to their
// src/ through the "molrl-src" export condition, so tests need no build.
// Files named on the command line replace the default spec (mocha would otherwise merge both).
// Node's compile cache (V8 code of every module, TypeScript included) for this process and every node it starts:
// the suite starts the CLI some hundred times, and a cached start costs about half the CPU of a cold one.
process.env.NODE_COMPILE_CACHE ??= require('node:path').join(__dirname, 'node_modules', '.cache', 'node-compile-cache');
const named = process.argv.slice(2).some((a) => !a.startsWith("-") && /(\.test\.ts|\/test(\/.*)?)$/.test(a));
module.exports = {
  spec: named ? [] : ['packages/*/test/**/*.test.ts', 'plugins/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
  extension: ['ts'],
  'node-option': ['no-node-snapshot', 'conditions=molrl-src', 'disable-warning=ExperimentalWarning'],
  'forbid-only': true,
  timeout: 60000,
  reporter: 'spec',
  exit: true,
};
