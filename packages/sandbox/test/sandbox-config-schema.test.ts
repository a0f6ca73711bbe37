// Tests of the `sandbox:` config schema and validateSandboxConfig.
import assert from 'node:assert/strict';
import { createAjv } from '@molrl/common';
import { sandboxConfigSchema, validateSandboxConfig } from '../src/sandbox-config-schema.ts';
import { DEFAULT_SANDBOX_LIMITS } from '../src/sandbox-defaults.ts';

describe('validateSandboxConfig', function () {
  it('fills every default into an empty section', function () {
    assert.deepEqual(validateSandboxConfig({}), { backend: 'docker', limits: { ...DEFAULT_SANDBOX_LIMITS } });
    assert.deepEqual(validateSandboxConfig(undefined), { backend: 'docker', limits: { ...DEFAULT_SANDBOX_LIMITS } });
  });

  it('keeps given values and fills the missing limits', function () {
    const config = validateSandboxConfig({ backend: 'isolated-vm', limits: { timeoutMs: 100 }, isolatedVm: { isolates: 3 } });
    assert.deepEqual(config, {
      backend: 'isolated-vm',
      limits: { ...DEFAULT_SANDBOX_LIMITS, timeoutMs: 100 },
      isolatedVm: { isolates: 3 },
    });
  });

  it('returns a frozen copy and leaves the input untouched', function () {
    const input = { backend: 'process' as const };
    const config = validateSandboxConfig(input);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.limits));
    assert.deepEqual(input, { backend: 'process' });
  });

  it('lists every problem with its path under the root path', function () {
    assert.throws(
      () => validateSandboxConfig({ backend: 'vm2', limits: { timeoutMs: 0, memoryMb: 'x' }, timout: 1 }, 'rewards[0].sandbox'),
      (error: { code: string; details: { problems: string[] } }) => {
        assert.equal(error.code, 'CONFIG_INVALID');
        const text = error.details.problems.join('\n');
        assert.match(text, /rewards\[0\]\.sandbox\.backend: must be equal to one of the allowed values "docker", "isolated-vm", "process" \(got "vm2"\)/);
        assert.match(text, /rewards\[0\]\.sandbox\.limits\.timeoutMs: must be >= 1 \(got 0\)/);
        assert.match(text, /rewards\[0\]\.sandbox\.limits\.memoryMb: must be integer \(got "x"\)/);
        assert.match(text, /unexpected property "timout"; expected one of: backend, limits, docker, isolatedVm, process/);
        return true;
      },
    );
  });

  it('takes a preload list of Python module names and names a bad entry', function () {
    assert.deepEqual(validateSandboxConfig({ docker: { preload: ['json', 'os.path', '_heapq'] } }).docker, { preload: ['json', 'os.path', '_heapq'] });
    assert.deepEqual(validateSandboxConfig({ docker: { preload: [] } }).docker, { preload: [] });
    for (const bad of [['os;rm'], ['json', 'json'], ['1abc'], ['a..b'], 'json']) {
      assert.throws(() => validateSandboxConfig({ docker: { preload: bad } }), (error: { code: string; details: { problems: string[] } }) => {
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.match(error.details.problems.join('\n'), /sandbox\.docker\.preload/);
        return true;
      });
    }
  });

  it('rejects unknown keys inside a backend section', function () {
    assert.throws(() => validateSandboxConfig({ process: { bwarp: 'auto' } }), { code: 'CONFIG_INVALID' });
  });
});

describe('sandboxConfigSchema', function () {
  it('compiles in strict mode and can be embedded in other schemas', function () {
    const ajv = createAjv();
    const validate = ajv.compile({ type: 'object', additionalProperties: false, properties: { sandbox: sandboxConfigSchema } });
    const data: Record<string, unknown> = { sandbox: {} };
    assert.equal(validate(data), true);
    assert.equal((data.sandbox as { backend: string }).backend, 'docker');
  });
});
