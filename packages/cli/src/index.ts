// Public API of @molrl/cli (programmatic use and tests).
export { main, createProgram } from './main.ts';
export * from './exit-codes.ts';
