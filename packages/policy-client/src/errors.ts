// Coded errors of @molrl/policy-client, sorted by code. Each factory's key equals the code it produces.
import { MolrlError } from '@molrl/common';

export const errors = {
  POLICY_LAUNCH_INVALID: (option: string, value: string, expected: string) =>
    new MolrlError('POLICY_LAUNCH_INVALID', `policy server launch option ${option} is ${value}; expected ${expected}`, {
      path: option,
      details: { option, value, expected },
    }),
  POLICY_PROTOCOL_INVALID: (endpoint: string, problems: string[], cause?: unknown) =>
    new MolrlError(
      'POLICY_PROTOCOL_INVALID',
      `policy server answered ${endpoint} with something that breaks protocol v1:\n  ${problems.join('\n  ')}\n` +
        'expected the shape in packages/policy-client/schemas; check that client and server come from the same molrl version',
      { cause, details: { endpoint, problems } },
    ),
  POLICY_REQUEST_ABORTED: (endpoint: string, reason: unknown) =>
    new MolrlError('POLICY_REQUEST_ABORTED', `${endpoint} was aborted by the caller (${describe(reason)})`, {
      cause: reason,
      details: { endpoint },
    }),
  POLICY_REQUEST_INVALID: (endpoint: string, problems: string[], path: string) =>
    new MolrlError(
      'POLICY_REQUEST_INVALID',
      `request to ${endpoint} is invalid (not sent):\n  ${problems.join('\n  ')}\nfix the fields named above (see packages/policy-client/schemas)`,
      { path, details: { endpoint, problems } },
    ),
  POLICY_SERVER_ERROR: (endpoint: string, status: number, serverCode: string, serverMessage: string, serverPath?: string) =>
    new MolrlError('POLICY_SERVER_ERROR', `policy server rejected ${endpoint} with HTTP ${status} ${serverCode}: ${serverMessage}`, {
      ...(serverPath ? { path: serverPath } : {}),
      details: { endpoint, status, serverCode, serverMessage },
    }),
  POLICY_SERVER_EXITED: (url: string, code: number | null, signal: string | null) =>
    new MolrlError(
      'POLICY_SERVER_EXITED',
      `the policy server at ${url} exited on its own (${signal ? `signal ${signal}` : `code ${code}`}); its log above says why`,
      { details: { url, code, signal } },
    ),
  POLICY_SERVER_START_FAILED: (reason: string, stderrTail: string[], hint?: string) =>
    new MolrlError(
      'POLICY_SERVER_START_FAILED',
      `policy server did not start: ${reason}` +
        (stderrTail.length > 0 ? `\nlast lines of its log:\n  ${stderrTail.join('\n  ')}` : '') +
        (hint ? `\n${hint}` : ''),
      { details: { reason, stderrTail, ...(hint ? { hint } : {}) } },
    ),
  POLICY_SERVER_TIMEOUT: (endpoint: string, timeoutMs: number) =>
    new MolrlError(
      'POLICY_SERVER_TIMEOUT',
      `policy server did not answer ${endpoint} within ${timeoutMs} ms; raise timeoutMs, or check the server's log (a large batch on CPU is slow)`,
      { details: { endpoint, timeoutMs } },
    ),
  POLICY_SERVER_UNREACHABLE: (url: string, attempts: number, cause: unknown, sent = false) =>
    new MolrlError(
      'POLICY_SERVER_UNREACHABLE',
      sent
        ? `the connection to the policy server at ${url} broke after the request was sent (${describe(cause)}); not retried, ` +
            'because the server may have taken the step: compare the step in GET /v1/health before sending it again'
        : `cannot reach the policy server at ${url} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${describe(cause)}); ` +
            (/bad port/.test(describe(cause))
              ? 'fetch refuses this port (the WHATWG blocked-port list, e.g. 1, 6000, 6665-6669): run the server on another port'
              : "start it with 'molrl server start --model tiny' or check server.url"),
      { cause, details: { url, attempts, sent } },
    ),
  POLICY_URL_INVALID: (url: string) =>
    new MolrlError('POLICY_URL_INVALID', `policy server URL ${JSON.stringify(url)} is not an http(s) URL; expected e.g. http://127.0.0.1:8100`, {
      details: { url },
    }),
} as const;

/** `CODE: message` of an error and of the errors on its cause chain (fetch hides the reason in `cause`). */
function describe(value: unknown): string {
  const parts: string[] = [];
  let e: unknown = value;
  for (let depth = 0; depth < 4 && e !== undefined; depth++) {
    if (!(e instanceof Error)) {
      parts.push(String(e));
      break;
    }
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}: ${e.message}` : e.message);
    e = e.cause;
  }
  return parts.join(' <- ');
}
