// The files `molrl plugins init NAME` writes: a plugin package with definePlugin, README and a RewardTester test.

/** Relative path -> content of a new plugin package named `name` (e.g. `reward:my-check`). */
export function pluginScaffold(name: string, slug: string): Record<string, string> {
  const pkg = {
    name: `molrl-plugin-${slug}`,
    version: '0.1.0',
    description: `${name}: a molrl reward plugin`,
    type: 'module',
    exports: { '.': './src/index.js' },
    files: ['src'],
    scripts: { test: 'mocha test/**/*.test.js' },
    peerDependencies: { '@molrl/core': '^0.1.0' },
    devDependencies: { mocha: '^11.7.0' },
  };
  return {
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'src/index.js': `// ${name}: rewards completions that contain the expected answer (edit score() to your needs).
import { definePlugin } from '@molrl/core/plugin';

/** @typedef {{ caseSensitive: boolean, partialScore: number }} Options */

export default definePlugin(/** @type {import('@molrl/core').RewardPlugin<Options>} */ ({
  name: '${name}',
  version: '0.1.0',
  apiVersion: '^1',
  description: 'Scores 1 when the completion contains sample.groundTruth, else options.partialScore.',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      caseSensitive: { type: 'boolean', default: false },
      partialScore: { type: 'number', minimum: 0, maximum: 1, default: 0 },
    },
  },
  score(sample, ctx) {
    // no ground truth: abstain (the sample is left out of this reward, never scored 0)
    if (typeof sample.groundTruth !== 'string') return null;
    const norm = (s) => (ctx.options.caseSensitive ? s : s.toLowerCase());
    const hit = norm(sample.completion).includes(norm(sample.groundTruth));
    return { score: hit ? 1 : ctx.options.partialScore, components: { contains: hit ? 1 : 0 }, reason: hit ? 'contains the answer' : 'answer missing' };
  },
}));
`,
    'test/index.test.js': `// Table tests of ${name} with molrl's RewardTester (asserts codes, paths and data, never message text).
import { RewardTester } from '@molrl/core';
import plugin from '../src/index.js';

RewardTester.run('${name}', plugin, {
  valid: [
    { sample: { completion: 'The answer is 42', groundTruth: '42' }, expected: { score: 1, status: 'ok', components: { contains: 1 } } },
    { sample: { completion: 'no idea', groundTruth: '42' }, options: { partialScore: 0.1 }, expected: { score: 0.1, components: { contains: 0 } } },
    { sample: { completion: 'anything' }, expected: { status: 'abstain', score: null } },
  ],
  invalid: [
    { options: { partialScore: 2 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.partialScore' }] },
    { options: { casesensitive: true }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.casesensitive' }] },
  ],
});
`,
    'README.md': `# ${name}

A [molrl](https://github.com/molrl/molrl) reward plugin. It scores 1 when the completion contains the sample's
\`groundTruth\`, \`partialScore\` otherwise, and abstains (\`null\`) when there is no ground truth.

## Use

\`\`\`yaml
rewards:
  - plugin: ./${slug}/src/index.js   # or the package name once installed: molrl-plugin-${slug}
    weight: 1
    options: { caseSensitive: false, partialScore: 0 }
\`\`\`

## Options

| option | type | default | meaning |
|---|---|---|---|
| \`caseSensitive\` | boolean | false | compare with case |
| \`partialScore\` | number in [0, 1] | 0 | score when the answer is missing |

## Test

\`npm test\` runs the RewardTester table in \`test/index.test.js\`.
`,
  };
}
