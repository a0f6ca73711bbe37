import assert from 'node:assert/strict';
import { errors } from '@molrl/policy-client';

describe('errors', () => {
  it('has each factory key equal to the code it produces, keys sorted', () => {
    const keys = Object.keys(errors);
    assert.deepEqual(keys, [...keys].sort());
    const args: Record<string, unknown[]> = {
      POLICY_LAUNCH_INVALID: ['rdzv', 'x', 'HOST:PORT'],
      POLICY_PROTOCOL_INVALID: ['/v1/health', ['status: must be equal to constant']],
      POLICY_REQUEST_ABORTED: ['/v1/generate', new Error('stop')],
      POLICY_REQUEST_INVALID: ['/v1/generate', ['n: must be >= 1 (got 0)'], 'n'],
      POLICY_SERVER_ERROR: ['/v1/generate', 400, 'BAD_REQUEST', 'bad'],
      POLICY_SERVER_EXITED: ['http://x', 1, null],
      POLICY_SERVER_START_FAILED: ['exited', ['line']],
      POLICY_SERVER_TIMEOUT: ['/v1/generate', 10],
      POLICY_SERVER_UNREACHABLE: ['http://x', 1, new Error('x')],
      POLICY_URL_INVALID: ['ftp://x'],
    };
    assert.deepEqual(Object.keys(args), keys);
    for (const [key, make] of Object.entries(errors)) {
      const error = (make as (...a: unknown[]) => { code: string; message: string })(...(args[key] ?? []));
      assert.equal(error.code, key);
      assert.ok(error.message.length > 0);
    }
  });

  it("puts the server's code and the HTTP status in POLICY_SERVER_ERROR details", () => {
    const error = errors.POLICY_SERVER_ERROR('/v1/generate', 400, 'BAD_REQUEST', 'bad n', 'n');
    assert.deepEqual(error.details, { endpoint: '/v1/generate', status: 400, serverCode: 'BAD_REQUEST', serverMessage: 'bad n' });
    assert.equal(error.path, 'n');
  });

  it('names the url and the attempts in POLICY_SERVER_UNREACHABLE', () => {
    const error = errors.POLICY_SERVER_UNREACHABLE('http://127.0.0.1:1/v1/health', 4, Object.assign(new Error('x'), { code: 'ECONNREFUSED' }));
    assert.match(error.message, /127\.0\.0\.1:1.*4 attempts.*ECONNREFUSED/);
    assert.deepEqual(error.details, { url: 'http://127.0.0.1:1/v1/health', attempts: 4, sent: false });
  });
});
