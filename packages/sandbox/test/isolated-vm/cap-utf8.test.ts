// Tests of capUtf8: byte caps that never split a character.
import assert from 'node:assert/strict';
import { capUtf8 } from '../../src/isolated-vm/cap-utf8.ts';

describe('capUtf8', function () {
  it('returns short text unchanged', function () {
    assert.deepEqual(capUtf8('abc', 10), { text: 'abc', cut: false });
  });

  it('returns text of exactly the limit unchanged', function () {
    assert.deepEqual(capUtf8('ééé', 6), { text: 'ééé', cut: false });
  });

  it('cuts at the last whole character within the limit', function () {
    assert.deepEqual(capUtf8('aé€', 4), { text: 'aé', cut: true });
    assert.deepEqual(capUtf8('€€', 5), { text: '€', cut: true });
  });

  it('cuts to nothing at a zero limit', function () {
    assert.deepEqual(capUtf8('x', 0), { text: '', cut: true });
  });
});
