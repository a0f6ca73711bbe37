// Tests of the io test-case shapes: lists, parallel lists (APPS, CodeContests), JSON strings, problems.
import { deepStrictEqual, match, strictEqual } from 'node:assert/strict';
import { ioCasesOf, parseIoCases } from '../src/io-cases.ts';

const two = { cases: [{ stdin: '1\n', expected: '2\n' }, { stdin: '3\n', expected: '6\n' }] };

describe('parseIoCases', () => {
  it('reads a list of { stdin, expected } or { input, output }', () => {
    deepStrictEqual(parseIoCases([{ stdin: '1\n', expected: '2\n' }, { input: '3\n', output: '6\n' }]), two);
  });
  it('reads parallel lists { inputs, outputs } (APPS) and { input, output } (CodeContests)', () => {
    deepStrictEqual(parseIoCases({ inputs: ['1\n', '3\n'], outputs: ['2\n', '6\n'] }), two);
    deepStrictEqual(parseIoCases({ input: ['1\n', '3\n'], output: ['2\n', '6\n'] }), two);
  });
  it('reads a JSON string of any shape, and numbers as text', () => {
    deepStrictEqual(parseIoCases(JSON.stringify({ inputs: ['1\n', '3\n'], outputs: ['2\n', '6\n'] })), two);
    deepStrictEqual(parseIoCases([{ stdin: '', expected: 42 }]), { cases: [{ stdin: '', expected: '42' }] });
  });
  it('names the problem of a malformed value', () => {
    for (const [value, problem] of [
      ['not json', /not JSON/],
      [{ inputs: ['1'], outputs: [] }, /same length/],
      [[{ stdin: '1' }], /case 0 needs/],
      [[{ stdin: null, expected: '1' }], /case 0 needs/],
      [{ tests: [] }, /neither/],
      [7, /neither/],
    ] as const) {
      const r = parseIoCases(value);
      strictEqual('problem' in r, true, JSON.stringify(value));
      match((r as { problem: string }).problem, problem);
    }
  });
});

describe('ioCasesOf', () => {
  it('prefers metadata.tests over groundTruth', () => {
    deepStrictEqual(ioCasesOf({ groundTruth: [{ stdin: 'g', expected: 'g' }], metadata: { tests: [{ stdin: 'm', expected: 'm' }] } }), [{ stdin: 'm', expected: 'm' }]);
    deepStrictEqual(ioCasesOf({ groundTruth: [{ stdin: 'g', expected: 'g' }], metadata: {} }), [{ stdin: 'g', expected: 'g' }]);
  });
  it('returns a reason naming where it looked when there are no usable cases', () => {
    match(ioCasesOf({ metadata: {} }) as string, /no test cases/);
    match(ioCasesOf({ groundTruth: [], metadata: {} }) as string, /groundTruth holds an empty list/);
    match(ioCasesOf({ metadata: { tests: 'oops' } }) as string, /metadata\.tests holds no usable test cases: a string that is not JSON/);
  });
});
