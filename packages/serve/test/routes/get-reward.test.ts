import assert from 'node:assert/strict';
import { DEFAULT_DOCKER_IMAGE } from '@molrl/sandbox';
import { dockerMissing, skipUnless } from '../../../../test/helpers/requirements.ts';
import { codeConfig, faultConfig, post, serve } from '../fixtures/test-server.ts';

describe('POST /get_reward', () => {
  describe('protocol', () => {
    let server: Awaited<ReturnType<typeof serve>>;
    before(async () => {
      server = await serve({ config: faultConfig(), engine: { retries: 0 } });
    });
    after(() => server.close());

    it('answers 503 with Retry-After when a sample is infra_error, so that OpenRLHF retries', async () => {
      const r = await post(`${server.url}/get_reward`, { query: ['p: ok', 'p: MOLRL_TEST_INFRA'], prompts: ['p: ', 'p: '], labels: ['1', '1'] });
      assert.equal(r.status, 503);
      assert.equal(r.body.error.code, 'SERVE_SCORE_INFRA_ERROR');
      assert.deepEqual(r.body.error.details.ids, ['1']);
      assert.equal(r.headers.get('retry-after'), '1');
    });

    it('refuses lists of different lengths and a query that does not hold its prompt', async () => {
      const lengths = await post(`${server.url}/get_reward`, { query: ['a', 'b'], prompts: ['a'], labels: ['1', '2', '3'] });
      assert.equal(lengths.status, 400);
      assert.equal(lengths.body.error.details.problems.length, 2);
      const prompt = await post(`${server.url}/get_reward`, { query: ['abc'], prompts: ['xyz'] });
      assert.equal(prompt.status, 400);
      assert.equal(prompt.body.error.path, 'query[0]');
    });
  });

  describe('scoring (docker)', function () {
    this.timeout(60_000);
    let server: Awaited<ReturnType<typeof serve>>;
    before(async function () {
      skipUnless(this, await dockerMissing(DEFAULT_DOCKER_IMAGE), '/get_reward with code execution');
      server = await serve({ config: codeConfig(1) });
    });
    after(() => server?.close());

    it('scores query minus prompt (trailing special tokens dropped) against labels[i], with the components as extra_logs', async () => {
      const prompt = '<|im_start|>user\nPrint 5<|im_end|>\n<|im_start|>assistant\n';
      const r = await post(`${server.url}/get_reward`, {
        query: [`${prompt}\`\`\`python\nprint(5)\n\`\`\`<|im_end|><|endoftext|>`, `${prompt}\`\`\`python\nprint(4)\n\`\`\``, `${prompt}no code`],
        prompts: [prompt, prompt, prompt],
        labels: ['5', '5', '5'],
      });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.rewards, [1, 0.4, 0]);
      assert.deepEqual(r.body.scores, r.body.rewards);
      assert.deepEqual(r.body.extra_logs['reward:code-execution.executes'], [1, 1, 0]);
      assert.deepEqual(r.body.extra_logs['reward:code-execution.correct'], [1, 0, 0]);
      assert.deepEqual(r.body.extra_logs.abstained, [0, 0, 0]);
    });

    it('scores 0 with extra_logs.abstained = 1 when every plugin abstains (no label)', async () => {
      const server2 = await serve({ config: { ...codeConfig(1), rewards: [{ plugin: 'reward:code-execution' }] } });
      try {
        const r = await post(`${server2.url}/get_reward`, { query: ['p```python\nprint(1)\n```'], prompts: ['p'] });
        assert.deepEqual([r.status, r.body.rewards, r.body.extra_logs.abstained], [200, [0], [1]]);
      } finally {
        await server2.close();
      }
    });
  });
});
