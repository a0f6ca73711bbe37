// Public API of @molrl/core.
export {};
