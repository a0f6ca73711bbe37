import assert from 'node:assert/strict';
import { assertValid, createAjv, formatAjvErrors, pointerToPath } from '../src/index.ts';

describe('pointerToPath', () => {
  it('renders array indices in brackets and keys with dots', () => {
    assert.equal(pointerToPath('/rewards/1/options/timeoutMs'), 'rewards[1].options.timeoutMs');
    assert.equal(pointerToPath('/timeoutMs', 'rewards[1].options'), 'rewards[1].options.timeoutMs');
  });
});

describe('assertValid', () => {
  const schema = {
    type: 'object',
    properties: { timeoutMs: { type: 'integer', maximum: 60000, default: 1000 }, image: { type: 'string' } },
    additionalProperties: false,
  } as const;

  it('applies defaults and passes valid data', () => {
    const validate = createAjv().compile(schema);
    const data: Record<string, unknown> = {};
    assertValid(validate, data, 'options');
    assert.equal(data.timeoutMs, 1000);
  });

  it('throws CONFIG_INVALID naming the path, the limit and the value', () => {
    const validate = createAjv().compile(schema);
    assert.throws(
      () => assertValid(validate, { timeoutMs: 120000 }, 'options', 'rewards[1].options'),
      (e: any) => e.code === 'CONFIG_INVALID' && e.path === 'rewards[1].options.timeoutMs' && /<= 60000 \(got 120000\)/.test(e.details.problems[0]),
    );
  });

  it('lists the allowed keys for an unknown key', () => {
    const validate = createAjv().compile(schema);
    validate({ timout: 5 });
    const lines = formatAjvErrors(validate.errors, { timout: 5 }, 'sandbox');
    assert.deepEqual(lines, ['sandbox: unexpected property "timout"; expected one of: timeoutMs, image']);
  });
});
