// Public API of @molrl/sandbox.
export type * from './types.ts';
