// integer: the one parser of integer flags.
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { integer } from '../src/integer-option.ts';

describe('integer', () => {
  it('accepts integers in range', () => {
    assert.deepEqual(['0', '7', '65535'].map(integer(0, 65535)), [0, 7, 65535]);
    assert.equal(integer(1)('123456789'), 123456789);
  });
  it('refuses anything else with the range in the message', () => {
    for (const bad of ['', ' ', 'abc', '1.5', '-1', '65536']) assert.throws(() => integer(0, 65535)(bad), (e: Error) => e instanceof InvalidArgumentError && e.message === `expected an integer in [0, 65535], got ${JSON.stringify(bad)}.`, bad);
    assert.throws(() => integer(1)('0'), { message: 'expected an integer >= 1, got "0".' });
  });
});
