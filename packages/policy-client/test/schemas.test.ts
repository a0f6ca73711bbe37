import assert from 'node:assert/strict';
import { protocolSchemas, schemaNames, validatorFor } from '@molrl/policy-client';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

describe('protocolSchemas', () => {
  it('lists every schema file of the package', () => {
    const dir = fileURLToPath(new URL('../schemas/', import.meta.url));
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    assert.deepEqual(files, [...schemaNames]);
  });

  it('gives draft-07 schemas that forbid unknown properties at the root', () => {
    for (const [name, schema] of Object.entries(protocolSchemas())) {
      const s = schema as { $schema: string; additionalProperties?: boolean; oneOf?: unknown };
      assert.equal(s.$schema, 'http://json-schema.org/draft-07/schema#', name);
      assert.ok(s.additionalProperties === false || s.oneOf !== undefined, name);
    }
  });
});

describe('validatorFor', () => {
  it('fills the documented request defaults', () => {
    const req: Record<string, unknown> = { rolloutId: 'r', advantages: [1, null] };
    assert.ok(validatorFor('train-policy-request')(req));
    assert.deepEqual(req, {
      rolloutId: 'r', advantages: [1, null], lossType: 'grpo', clip: { low: 0.2, high: 0.2 }, beta: 0, microBatchSize: 8, maxGradNorm: 1, updatesPerBatch: 1, miniBatches: 1,
    });
    const mol: Record<string, unknown> = { examples: [{ segments: [{ text: 'a', loss: 'kl', role: 'assistant' }] }] };
    assert.ok(validatorFor('train-mol-request')(mol));
    assert.equal(mol.mode, 'mol');
  });

  it('rejects unknown keys and out-of-range sampling values', () => {
    const validate = validatorFor('generate-request');
    assert.equal(validate({ prompts: [{ id: 'p', text: 'x' }], temperature: 1 }), false);
    assert.equal(validate({ prompts: [{ id: 'p', text: 'x' }], sampling: { topP: 0 } }), false);
    assert.equal(validate({ prompts: [{ id: 'p', text: 'x', messages: [] }] }), false);
    assert.equal(validate({ prompts: [] }), false);
  });

  it('accepts both prompt forms', () => {
    const validate = validatorFor('generate-request');
    assert.ok(validate({ prompts: [{ id: 'a', text: 'x' }, { id: 'b', messages: [{ role: 'user', content: 'hi' }] }], n: 4, seed: 7 }));
  });

  it('checks responses without adding defaults', () => {
    const health = { status: 'ok', model: 'tiny', device: 'cpu', step: 3, protocolVersion: '1.0' };
    assert.ok(validatorFor('health-response')(health));
    assert.deepEqual(Object.keys(health), ['status', 'model', 'device', 'step', 'protocolVersion']);
    assert.equal(validatorFor('health-response')({ ...health, protocolVersion: '2' }), false);
  });

  it('accepts every stream line type and nothing else', () => {
    const validate = validatorFor('generate-stream-line');
    assert.ok(validate({ type: 'rollout', rolloutId: 'r' }));
    assert.ok(validate({ type: 'completion', completion: { promptId: 'p', index: 0, text: '', tokenCount: 0, finishReason: 'eos' } }));
    assert.ok(validate({ type: 'done', rolloutId: 'r', completions: 0 }));
    assert.ok(validate({ type: 'error', error: { code: 'OUT_OF_MEMORY', message: 'm' } }));
    assert.equal(validate({ type: 'progress' }), false);
  });
});
