import assert from 'node:assert/strict';
import { failureCode } from '../src/transport.ts';

describe('failureCode', () => {
  it("finds the connection error code on fetch's cause chain", () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    assert.equal(failureCode(refused), 'ECONNREFUSED');
    const closed = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    assert.equal(failureCode(closed), 'UND_ERR_SOCKET');
  });

  it("recognises undici's own header and body timeouts", () => {
    const late = new TypeError('fetch failed', { cause: Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) });
    assert.equal(failureCode(late), 'UND_ERR_HEADERS_TIMEOUT');
  });

  it('returns undefined for errors that are not connection errors', () => {
    assert.equal(failureCode(new Error('boom')), undefined);
    assert.equal(failureCode(Object.assign(new Error('x'), { code: 'ERR_INVALID_URL' })), undefined);
  });
});
