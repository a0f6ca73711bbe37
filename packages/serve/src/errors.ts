// Coded errors of @molrl/serve, sorted by code. Each factory's key equals the code it produces.
// `details.status` is the HTTP status the server answers with.
import { MolrlError, describeError } from '@molrl/common';

export const errors = {
  SERVE_BODY_TOO_LARGE: (limitBytes: number) =>
    new MolrlError('SERVE_BODY_TOO_LARGE', `the request body is larger than the server's limit of ${limitBytes} bytes; send fewer samples per request or start the server with a larger --body-limit-mb`, {
      details: { status: 413, limitBytes },
    }),
  SERVE_FETCH_FILES_UNSUPPORTED: (paths: string[]) =>
    new MolrlError(
      'SERVE_FETCH_FILES_UNSUPPORTED',
      `fetch_files ${JSON.stringify(paths)} cannot be served: the molrl sandbox returns stdout and stderr, not files written by the program; print what you need instead, or send fetch_files: []`,
      { path: 'fetch_files', details: { status: 400 } },
    ),
  SERVE_FILE_INVALID: (path: string, problem: string) =>
    new MolrlError('SERVE_FILE_INVALID', `files["${path}"]: ${problem}; send each file as the base64 of its UTF-8 text`, { path: `files.${path}`, details: { status: 400 } }),
  SERVE_INTERNAL_ERROR: (cause: unknown) =>
    new MolrlError('SERVE_INTERNAL_ERROR', `the server failed while handling the request (${describeError(cause)}); this is a bug of molrl serve: report it with the request`, {
      cause,
      details: { status: 500 },
    }),
  SERVE_LANGUAGE_UNSUPPORTED: (language: string, supported: string[]) =>
    new MolrlError(
      'SERVE_LANGUAGE_UNSUPPORTED',
      `language ${JSON.stringify(language)} is not supported by this server's sandbox (supported: ${supported.join(', ')}); send one of those, or configure a sandbox backend and image that run it`,
      { path: 'language', details: { status: 400, language, supported } },
    ),
  SERVE_LISTEN_FAILED: (host: string, port: number, cause: unknown) =>
    new MolrlError('SERVE_LISTEN_FAILED', `cannot listen on ${host}:${port} (${describeError(cause)}); pick a free --port (0 picks one) or stop what holds it`, {
      cause,
      details: { host, port },
    }),
  SERVE_NOT_FOUND: (method: string, url: string, routes: string[]) =>
    new MolrlError('SERVE_NOT_FOUND', `${method} ${url} is not a route of molrl serve; the routes are ${routes.join(', ')} (GET /openapi.json describes them)`, {
      details: { status: 404, routes },
    }),
  SERVE_OVERLOADED: (active: number, queued: number, status: number, retryAfterSeconds: number) =>
    new MolrlError(
      'SERVE_OVERLOADED',
      `the server is at its limit (${active} requests running, ${queued} queued); retry after ${retryAfterSeconds} s, or start it with a larger --concurrency / --queue`,
      { details: { status, active, queued, retryAfterSeconds } },
    ),
  SERVE_REQUEST_INVALID: (problems: string[], path?: string) =>
    new MolrlError('SERVE_REQUEST_INVALID', `the request is invalid:\n  ${problems.join('\n  ')}`, { path, details: { status: 400, problems } }),
  SERVE_REQUEST_TIMEOUT: (ms: number) =>
    new MolrlError('SERVE_REQUEST_TIMEOUT', `the request did not finish within the server's limit of ${ms} ms; retry, send less work per request, or start the server with a larger --request-timeout-ms`, {
      details: { status: 504, timeoutMs: ms },
    }),
  SERVE_SCORE_FAILED: (ids: string[], reason: string) =>
    new MolrlError('SERVE_SCORE_FAILED', `the reward plugins could not score sample(s) ${ids.join(', ')}: ${reason}; check the server's log and the plugin named there`, {
      details: { status: 500, ids },
    }),
  SERVE_SCORE_INFRA_ERROR: (ids: string[], reason: string) =>
    new MolrlError('SERVE_SCORE_INFRA_ERROR', `sample(s) ${ids.join(', ')} could not be scored because the sandbox infrastructure failed (${reason}); retry the request (this is not a score of 0)`, {
      details: { status: 503, ids },
    }),
  SERVE_SHUTTING_DOWN: () =>
    new MolrlError('SERVE_SHUTTING_DOWN', 'the server is shutting down and takes no new work; send the request to another server or retry once it is back', { details: { status: 503 } }),
  SERVE_UNAUTHORIZED: () =>
    new MolrlError('SERVE_UNAUTHORIZED', "missing or wrong bearer token; send the header 'authorization: Bearer <token>' with the token the server was started with (--token)", {
      details: { status: 401 },
    }),
} as const;
