// `@molrl/core/plugin`: what a reward plugin imports (definePlugin, the types, infraError, exact numbers), without the
// trainer, the policy client or the run store behind the package's main entry, so that every worker thread that
// loads a plugin loads only this. The main entry re-exports all of it: either import works.
export type * from './types.ts';
export { PLUGIN_API_VERSION } from './types.ts';
export { definePlugin } from './plugins/define-plugin.ts';
export { infraError, assertNoInfraError } from './rewards/infra-error.ts';
export { parseExactNumber, numbersEqual, exactEqual, divideExact, scaleDown, MAX_EXPONENT, type ExactNumber } from './rewards/exact-number.ts';
