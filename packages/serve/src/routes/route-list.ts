// The routes of molrl serve, as `METHOD /path` (the --json line of the CLI, the answer to an unknown route).

/** Every route of the server. */
export const SERVE_ROUTES: readonly string[] = Object.freeze(['POST /run_code', 'GET /v1/ping', 'POST /get_reward', 'POST /v1/score', 'GET /healthz', 'GET /metrics', 'GET /openapi.json']);
