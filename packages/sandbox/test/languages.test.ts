// The language names: canonical names, the javascript alias, and what each non-docker backend accepts.
import assert from 'node:assert/strict';
import { canonicalLanguage, COMPILED_LANGUAGES, createIsolatedVmSandbox, createProcessSandbox, LANGUAGE_NAMES, LANGUAGES, type RunRequest } from '@molrl/sandbox';

const base = { timeoutMs: 5000, memoryMb: 128, outputLimitBytes: 4096 } as const;

describe('languages', () => {
  it('takes SandboxFusion\'s names plus c, and javascript as an alias of nodejs', () => {
    assert.deepEqual([...LANGUAGES], ['python', 'cpp', 'c', 'java', 'go', 'rust', 'nodejs', 'typescript', 'bash']);
    assert.deepEqual([...LANGUAGE_NAMES], [...LANGUAGES, 'javascript']);
    assert.equal(canonicalLanguage('javascript'), 'nodejs');
    for (const name of LANGUAGES) assert.equal(canonicalLanguage(name), name);
    for (const bad of ['C++', 'Python', 'js', '', null, 3]) assert.equal(canonicalLanguage(bad), null, String(bad));
    assert.deepEqual([...COMPILED_LANGUAGES].sort(), ['c', 'cpp', 'go', 'java', 'rust', 'typescript']);
  });

  it('runs nodejs and javascript on isolated-vm and refuses other languages with SANDBOX_LANGUAGE_UNSUPPORTED', async () => {
    const ivm = await createIsolatedVmSandbox({ isolates: 1 });
    try {
      for (const language of ['nodejs', 'javascript'] as const) assert.equal((await ivm.run({ ...base, language, code: 'console.log(6 * 7)' })).stdout, '42\n');
      await assert.rejects(ivm.run({ ...base, language: 'cpp', code: '' }), { code: 'SANDBOX_LANGUAGE_UNSUPPORTED' });
    } finally {
      await ivm.close();
    }
  });

  it('runs nodejs on the process backend and refuses compiled languages with SANDBOX_LANGUAGE_UNSUPPORTED', async () => {
    const proc = await createProcessSandbox({ quiet: true });
    try {
      assert.equal((await proc.run({ ...base, language: 'nodejs', code: 'console.log(6 * 7)' })).stdout, '42\n');
      for (const language of ['cpp', 'go', 'bash', 'cobol']) {
        await assert.rejects(proc.run({ ...base, language, code: '' } as unknown as RunRequest), { code: 'SANDBOX_LANGUAGE_UNSUPPORTED' });
      }
    } finally {
      await proc.close();
    }
  });
});
