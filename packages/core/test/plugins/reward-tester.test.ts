// RewardTester run on the echo fixture plugin: valid scores and invalid options by code and path.
import { RewardTester } from '@molrl/core';
import echo from '../rewards/fixtures/echo-plugin.ts';

RewardTester.run('test:echo', echo, {
  valid: [
    { sample: { completion: '', metadata: { score: 0.5 } }, expected: { score: 0.5, status: 'ok' } },
    { sample: { completion: '', metadata: { score: 0.5 } }, options: { bonus: 1 }, expected: { score: 1.5 } },
    { sample: { completion: '', metadata: { score: null } }, expected: { status: 'abstain', score: null } },
  ],
  invalid: [
    { options: { bonus: 11 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.bonus' }] },
    { options: { bonus: 'x', extra: 1 }, errors: [{ code: 'PLUGIN_OPTIONS_INVALID', path: 'options.bonus' }, { code: 'PLUGIN_OPTIONS_INVALID', path: 'options.extra' }] },
  ],
});
