// Public API of @molrl/common.
export { MolrlError, isMolrlError, describeError, type MolrlErrorFields } from './molrl-error.ts';
export { errors } from './errors.ts';
export { createAjv, formatAjvErrors, assertValid, pointerToPath } from './ajv.ts';
export { deepFreeze } from './freeze.ts';
export { readConfigFile, parseJsonl, parseRawLine, readJsonlFile, appendJsonl, type JsonlLine, type JsonlLimits } from './files.ts';
export { INPUT_LIMITS, type InputLimit } from './input-limits.ts';
export { LineSplitter, type RawLine } from './line-splitter.ts';
export { pidAlive } from './pid-alive.ts';
