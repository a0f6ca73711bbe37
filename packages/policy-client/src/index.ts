// Public API of @molrl/policy-client.
export { PolicyClient, DEFAULT_TIMEOUT_MS } from './policy-client.ts';
export { launchPolicyServer, launchFollowerNode, launchArgs, isDistributed, serverArgs, startHint, defaultServerDir, type LaunchOptions, type PolicyServerHandle, type FollowerNodeHandle } from './launcher.ts';
export { defaultPython, repoVenvPython } from './default-python.ts';
export { protocolSchemas, validatorFor, schemaNames, schemaDir, type SchemaName } from './schemas.ts';
export { errors } from './errors.ts';
export type * from './types.ts';
