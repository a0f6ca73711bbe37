// RewardTester: a table harness for reward plugins that defines mocha tests (asserts codes, paths and data, never messages).
import { deepStrictEqual, fail, ok, strictEqual } from 'node:assert/strict';
import { isMolrlError } from '@molrl/common';
import { createSandbox, type Sandbox, type SandboxConfigInput } from '@molrl/sandbox';
import { createRewardEngine } from '../rewards/reward-engine.ts';
import type { RewardPlugin, RewardSample, RewardTesterCases, RewardTesterValidCase } from '../types.ts';
import { resolvePluginOptions } from './plugin-options.ts';
import { validatePlugin } from './validate-plugin.ts';

type Fn = (this: { timeout(ms: number): void }) => unknown;
type MochaGlobals = { describe(title: string, fn: () => void): void; it(title: string, fn: Fn): void; before(fn: Fn): void; after(fn: Fn): void };

function mocha(): MochaGlobals {
  const g = globalThis as unknown as Partial<MochaGlobals>;
  if (typeof g.describe !== 'function' || typeof g.it !== 'function') throw new Error('RewardTester.run must be called while mocha loads a test file (describe/it are not defined)');
  return g as MochaGlobals;
}

const isSandbox = (v: unknown): v is Sandbox => typeof (v as Sandbox)?.run === 'function';

/** Asserts only the fields `expected` names; scores compare within 1e-9. */
function assertExpected(actual: { score: number | null; status: string; components: Record<string, number>; reason?: string }, expected: RewardTesterValidCase['expected']): void {
  if ('status' in expected) strictEqual(actual.status, expected.status, 'status');
  if ('score' in expected) {
    if (expected.score === null || actual.score === null) strictEqual(actual.score, expected.score, 'score');
    else ok(Math.abs(actual.score - (expected.score as number)) < 1e-9, `score: expected ${expected.score}, got ${actual.score}`);
  }
  if (expected.components !== undefined) deepStrictEqual(actual.components, expected.components, 'components');
  if ('reason' in expected) strictEqual(actual.reason, expected.reason, 'reason');
}

/** The table harness: `RewardTester.run(name, plugin, { valid, invalid }, { sandbox })` inside a mocha test file. */
export const RewardTester = {
  /**
   * Defines `describe(name)` with one `it` per case. Valid cases score their sample with the plugin alone
   * (weight 1, in-process) after validating their options; invalid cases assert that options validation
   * fails with exactly the listed `{ code, path }` errors (paths rooted at `options`, e.g. `options.timeoutMs`).
   * A sandbox config given here is started once for the whole table and closed after it.
   */
  run(name: string, plugin: RewardPlugin<any>, cases: RewardTesterCases, opts: { sandbox?: SandboxConfigInput | Sandbox } = {}): void {
    const { describe, it, before, after } = mocha();
    describe(name, () => {
      let shared: Sandbox | undefined;
      let started = false;
      const sandboxFor = async (c: RewardTesterValidCase): Promise<{ sandbox: Sandbox | SandboxConfigInput | undefined; own?: Sandbox }> => {
        if (c.sandbox !== undefined) {
          if (isSandbox(c.sandbox)) return { sandbox: c.sandbox };
          const own = await createSandbox(c.sandbox);
          return { sandbox: own, own };
        }
        if (opts.sandbox === undefined || isSandbox(opts.sandbox)) return { sandbox: opts.sandbox };
        if (!started) {
          started = true;
          shared = await createSandbox(opts.sandbox);
        }
        return { sandbox: shared };
      };
      after(async () => {
        await shared?.close();
      });
      before(() => {
        validatePlugin(plugin, 'plugin');
      });
      it('has a non-empty options schema (or opts out with false)', () => {
        const schema = plugin.optionsSchema as Record<string, unknown> | false;
        ok(schema === false || (schema !== null && typeof schema === 'object' && Object.keys(schema).length > 0), 'optionsSchema must be a JSON Schema or false, not {}');
      });
      cases.valid.forEach((c, i) => {
        const sample: RewardSample = { id: `case-${i}`, metadata: {}, ...c.sample };
        it(c.name ?? `scores ${sample.id}${c.options ? ` with ${JSON.stringify(c.options)}` : ''}`, async function () {
          this.timeout(120_000);
          resolvePluginOptions(plugin, c.options, 'options');
          const { sandbox, own } = await sandboxFor(c);
          const engine = await createRewardEngine({ rewards: [{ plugin, options: c.options }], sandbox }, { workers: false, retries: 0 });
          try {
            const scored = await engine.score(sample);
            assertExpected(scored.rewards[engine.plugins[0].name], c.expected);
          } finally {
            await engine.close();
            await own?.close();
          }
        });
      });
      cases.invalid.forEach((c, i) => {
        it(c.name ?? `refuses options #${i} ${JSON.stringify(c.options)}`, () => {
          try {
            resolvePluginOptions(plugin, c.options, 'options');
          } catch (error) {
            if (!isMolrlError(error)) throw error;
            const raw = (error.details?.errors as { path: string }[] | undefined) ?? [{ path: error.path ?? '' }];
            const actual = raw.map((e) => ({ code: error.code, path: e.path })).sort((a, b) => a.path.localeCompare(b.path));
            const expected = [...c.errors].map((e) => ({ code: e.code, path: e.path })).sort((a, b) => a.path.localeCompare(b.path));
            deepStrictEqual(actual, expected);
            return;
          }
          fail(`options ${JSON.stringify(c.options)} were accepted; expected errors ${JSON.stringify(c.errors)}`);
        });
      });
    });
  },
};
