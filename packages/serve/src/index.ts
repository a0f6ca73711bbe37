// Public API of @molrl/serve.
export type * from './types.ts';
export { errors } from './errors.ts';
export { startServer, isLoopback } from './start-server.ts';
export { SERVE_DEFAULTS, serveLimitsSchema, resolveServeLimits } from './serve-defaults.ts';
export { openapiDocument } from './openapi-document.ts';
export { SANDBOX_FUSION_LANGUAGES, BACKEND_LANGUAGES } from './routes/sandbox-fusion-languages.ts';
export { SERVE_ROUTES } from './routes/route-list.ts';
