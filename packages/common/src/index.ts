// Public API of @molrl/common.
export { MolrlError, isMolrlError, describeError, type MolrlErrorFields } from './molrl-error.ts';
export { errors } from './errors.ts';
export { createAjv, formatAjvErrors, assertValid, pointerToPath } from './ajv.ts';
export { deepFreeze } from './freeze.ts';
export { readConfigFile, parseJsonl, readJsonlFile, appendJsonl, type JsonlLine } from './files.ts';
