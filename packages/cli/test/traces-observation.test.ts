// The collecting agent's conventions: code extraction, final answers, observations in the paper's form.
import assert from 'node:assert/strict';
import { callsFinalAnswer, extractCode, formatObservation } from '../src/traces-observation.ts';

const run = (over: object) => ({ status: 'ok', exitCode: 0, signal: null, stdout: '', stderr: '', truncated: false, durationMs: 5, ...over }) as Parameters<typeof formatObservation>[0];

describe('extractCode', () => {
  it('joins python, py and untagged fenced blocks and returns null without one', () => {
    assert.equal(extractCode('Thought: x\n```python\na = 1\n```\nthen\n```py\nprint(a)\n```'), 'a = 1\n\nprint(a)\n');
    assert.equal(extractCode('```\nprint(2)\n```'), 'print(2)\n');
    assert.equal(extractCode('The answer is 4.'), null);
  });
});

describe('callsFinalAnswer', () => {
  it('sees a final_answer call', () => {
    assert.equal(callsFinalAnswer('final_answer(42)'), true);
    assert.equal(callsFinalAnswer('print(final_answers)'), false);
  });
});

describe('formatObservation', () => {
  it('writes execution logs on success and the exception line on failure', () => {
    assert.equal(formatObservation(run({ stdout: '42\n' }), 100), 'Observation: Execution logs:\n42\n');
    assert.equal(
      formatObservation(run({ status: 'runtime_error', exitCode: 1, stdout: 'a\n', stderr: 'Traceback...\n  File "x"\nNameError: name \'prnt\' is not defined\n' }), 100),
      "Observation: Execution logs:\na\n\nError: NameError: name 'prnt' is not defined",
    );
    assert.match(formatObservation(run({ status: 'timeout', durationMs: 10000 }), 100), /^Observation: Error: the code timed out after 10000 ms$/);
    assert.equal(formatObservation(run({ stdout: 'x'.repeat(10) }), 4), 'Observation: Execution logs:\nxxxx\n[output truncated]');
    assert.equal(
      formatObservation(run({ status: 'compile_error', stderr: "main.c: In function 'main':\nmain.c:1:20: error: 'x' undeclared\n    1 | int main(){ return x; }\n" }), 100),
      "Observation: Error: the code did not compile: main.c:1:20: error: 'x' undeclared",
    );
  });
});
