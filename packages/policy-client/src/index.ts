// Public API of @molrl/policy-client.
export {};
