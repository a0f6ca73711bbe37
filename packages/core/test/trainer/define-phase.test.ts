// definePhase: the identity helper, the schema every phase entry gets, and the once() loader.
import { deepStrictEqual, ok, strictEqual, throws } from 'node:assert/strict';
import { BUILTIN_PHASES, definePhase, phaseSchema, phaseSchemas } from '@molrl/core';
import { once } from '../../src/trainer/define-phase.ts';

const demo = definePhase<{ type: 'demo'; steps: number; resetOptimizer: boolean; beta: number }>({
  type: 'demo',
  description: 'a phase for tests',
  optionsSchema: { type: 'object', required: ['steps'], properties: { steps: { type: 'integer', minimum: 1 }, beta: { type: 'number', default: 0 } } },
  usesReference: (p) => p.beta > 0,
  resolve: (options) => ({ config: options, data: () => undefined }),
  run: async () => {},
});

describe('definePhase', () => {
  it('returns the definition unchanged', () => {
    strictEqual(definePhase(demo), demo);
  });

  it('phaseSchema adds type, name, checkpointEvery, resetOptimizer and (for a KL phase) reference', () => {
    const s = phaseSchema(demo as never) as { required: string[]; additionalProperties: boolean; properties: Record<string, { const?: string; enum?: string[]; default?: unknown }> };
    deepStrictEqual(s.required, ['type', 'steps']);
    strictEqual(s.additionalProperties, false);
    strictEqual(s.properties.type.const, 'demo');
    deepStrictEqual(Object.keys(s.properties), ['type', 'name', 'steps', 'beta', 'checkpointEvery', 'resetOptimizer', 'reference']);
    deepStrictEqual(s.properties.reference.enum, ['base', 'phase-start']);
    strictEqual(s.properties.resetOptimizer.default, false);
    const { usesReference: _, ...plain } = demo;
    ok(!('reference' in (phaseSchema(plain as never) as { properties: object }).properties));
  });

  it('the job schema has one entry per built-in phase, made by phaseSchema', () => {
    deepStrictEqual(Object.keys(phaseSchemas), BUILTIN_PHASES.map((d) => d.type));
    for (const d of BUILTIN_PHASES) deepStrictEqual(phaseSchemas[d.type], phaseSchema(d as never));
  });
});

describe('once', () => {
  it('calls its function once and repeats the value or the error', () => {
    let calls = 0;
    const value = once(() => ++calls);
    deepStrictEqual([value(), value()], [1, 1]);
    const failing = once(() => {
      calls++;
      throw new Error('bad data');
    });
    throws(failing, /bad data/);
    throws(failing, /bad data/);
    strictEqual(calls, 2);
  });
});
