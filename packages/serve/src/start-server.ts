// startServer: the sandbox, the reward engine and the HTTP app of `molrl serve`, listening; close() shuts down gracefully.
import { errors as commonErrors } from '@molrl/common';
import { createRewardEngine, REWARD_ENGINE_DEFAULTS } from '@molrl/core';
import { createSandbox, validateSandboxConfig } from '@molrl/sandbox';
import { isIP } from 'node:net';
import { Admission } from './admission.ts';
import { buildApp } from './build-app.ts';
import { errors } from './errors.ts';
import { meteredSandbox } from './metered-sandbox.ts';
import { createMetrics } from './metrics.ts';
import { sandboxHealth } from './sandbox-health.ts';
import { resolveServeLimits } from './serve-defaults.ts';
import type { RunningServer, ServeContext, ServeLimits, ServeOptions } from './types.ts';

/** True for addresses only this machine reaches: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function urlOf(address: ReturnType<import('node:http').Server['address']>): string {
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Starts a server: validates the limits (CONFIG_INVALID; a non-loopback host without a token is refused),
 * starts the sandbox (its errors, e.g. SANDBOX_DOCKER_UNAVAILABLE, are thrown), loads the reward plugins,
 * and listens (SERVE_LISTEN_FAILED). Everything started is closed again when a later step fails.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { config, engine: engineOptions = {}, ...rest } = options;
  const limits: Readonly<ServeLimits> = { ...resolveServeLimits(rest) };
  if (!isLoopback(limits.host) && !limits.token) {
    throw commonErrors.CONFIG_INVALID(
      `--host ${limits.host} exposes the sandbox to other machines; pass --token <secret> (clients send 'authorization: Bearer <secret>') or bind 127.0.0.1`,
      '--token',
    );
  }
  const sandboxConfig = validateSandboxConfig(config.sandbox ?? {}, 'sandbox');
  const raw = await createSandbox(sandboxConfig);
  const sandbox = meteredSandbox(raw, sandboxConfig);
  const engine = await createRewardEngine({ rewards: config.rewards, sandbox }, engineOptions).catch(async (error: unknown) => {
    await sandbox.close();
    throw error;
  });
  const admission = new Admission(limits.concurrency, limits.queue);
  const metrics = createMetrics(admission, () => sandbox.stats());
  const stopping = new AbortController();
  const ctx: ServeContext = {
    limits,
    sandboxConfig,
    sandbox,
    engine,
    scoreConcurrency: engineOptions.concurrency ?? REWARD_ENGINE_DEFAULTS.concurrency,
    poolStats: () => sandbox.stats(),
    health: sandboxHealth(raw, sandboxConfig),
  };
  let closed: Promise<void> | null = null;
  const shutdown = async (app?: Awaited<ReturnType<typeof buildApp>>) => {
    stopping.abort();
    await app?.close(); // stops accepting; in-flight requests finish (each within its request timeout)
    await engine.close().catch((error: unknown) => process.stderr.write(`molrl serve: a reward plugin's teardown failed: ${(error as Error).message}\n`));
    await sandbox.close(); // removes the containers
  };
  const app = await buildApp(ctx, { admission, metrics, stopping: stopping.signal }).catch(async (error: unknown) => {
    await shutdown();
    throw error;
  });
  try {
    await app.listen({ host: limits.host, port: limits.port });
  } catch (cause) {
    await shutdown(app);
    throw errors.SERVE_LISTEN_FAILED(limits.host, limits.port, cause);
  }
  return {
    url: urlOf(app.server.address()),
    close: () => (closed ??= shutdown(app)),
  };
}
