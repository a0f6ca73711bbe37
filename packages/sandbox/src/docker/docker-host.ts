// One Docker host of a sandbox fleet: its config (a unix socket, TCP with TLS, or ssh), the dockerode connection
// options it becomes, the name molrl shows and labels containers with, and the docker CLI flags that reach it
// (the synchronous exit cleanup goes through the CLI).
import type Docker from 'dockerode';
import { describeError, errors } from '@molrl/common';
import { readFileSync } from 'node:fs';

/** A daemon reached through a unix socket (on this machine, or a socket forwarded here). */
export interface DockerSocketHost {
  /** Absolute path of the daemon's socket, e.g. /var/run/docker.sock. */
  socketPath: string;
  /** Warm containers on this host. @default sandbox.docker.poolSize */
  poolSize?: number;
}

/**
 * A daemon over TCP. `https` (the default) is the daemon's `--tlsverify` mode: `ca` checks the daemon's
 * certificate, `cert`/`key` prove this client; `http` is unauthenticated (root on that host for anyone who
 * reaches the port: a trusted private network or loopback only).
 */
export interface DockerTcpHost {
  /** Host name or IP address. */
  host: string;
  /** @default 2376 for https, 2375 for http */
  port?: number;
  /** @default 'https' */
  protocol?: 'https' | 'http';
  /** Absolute path of the CA certificate (PEM) that signed the daemon's certificate (https). */
  ca?: string;
  /** Absolute path of this client's certificate (PEM) (https). */
  cert?: string;
  /** Absolute path of this client's private key (PEM) (https). */
  key?: string;
  /** Warm containers on this host. @default sandbox.docker.poolSize */
  poolSize?: number;
}

/** A daemon reached over ssh: dockerode runs `docker system dial-stdio` on the remote host. */
export interface DockerSshHost {
  protocol: 'ssh';
  host: string;
  /** @default 22 */
  port?: number;
  username: string;
  /** Absolute path of the private key; without it the ssh agent ($SSH_AUTH_SOCK) is asked. */
  privateKey?: string;
  /** Warm containers on this host. @default sandbox.docker.poolSize */
  poolSize?: number;
}

/** One entry of `sandbox.docker.hosts`. */
export type DockerHostConfig = DockerSocketHost | DockerTcpHost | DockerSshHost;

/** How molrl names a host and reaches it from the docker CLI. */
export interface DockerHostRef {
  /** e.g. `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2376`, `ssh://molrl@10.0.0.6:22`; null: the default daemon. */
  name: string | null;
  /** docker CLI flags that reach the host (`-H ...`, TLS files); [] for the CLI's own default (DOCKER_HOST). */
  cliArgs: string[];
}

/** The default daemon (DOCKER_HOST or the local socket), as a single pool without `hosts` uses it. */
export const DEFAULT_HOST: DockerHostRef = Object.freeze({ name: null, cliArgs: [] });

const isSocket = (h: DockerHostConfig): h is DockerSocketHost => 'socketPath' in h;
const isSsh = (h: DockerHostConfig): h is DockerSshHost => 'protocol' in h && h.protocol === 'ssh';

/** The port a TCP or ssh entry uses. */
function portOf(h: DockerTcpHost | DockerSshHost): number {
  if (h.port !== undefined) return h.port;
  if (isSsh(h)) return 22;
  return h.protocol === 'http' ? 2375 : 2376;
}

/** Brackets an IPv6 address for a URL. */
const urlHost = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** The host's name and CLI flags. */
export function describeHost(h: DockerHostConfig): DockerHostRef {
  if (isSocket(h)) return { name: `unix://${h.socketPath}`, cliArgs: ['-H', `unix://${h.socketPath}`] };
  const port = portOf(h);
  if (isSsh(h)) {
    const name = `ssh://${h.username}@${urlHost(h.host)}:${port}`;
    return { name, cliArgs: ['-H', name] };
  }
  const name = `tcp://${urlHost(h.host)}:${port}`;
  if (h.protocol === 'http') return { name, cliArgs: ['-H', name] };
  return { name, cliArgs: ['-H', name, '--tlsverify', `--tlscacert=${h.ca}`, `--tlscert=${h.cert}`, `--tlskey=${h.key}`] };
}

/** Reads one credential file of a host entry; CONFIG_INVALID names the entry's field (`configPath.field`). */
function readCredential(configPath: string, field: string, path: string | undefined, read: (path: string) => Buffer): Buffer {
  if (path === undefined) throw errors.CONFIG_INVALID(`${configPath}.${field}: missing; a TLS host needs ca, cert and key (absolute paths of PEM files)`, `${configPath}.${field}`);
  try {
    return read(path);
  } catch (cause) {
    throw errors.CONFIG_INVALID(`${configPath}.${field}: cannot read ${path} (${describeError(cause)}); give the absolute path of a readable PEM file`, `${configPath}.${field}`);
  }
}

/**
 * The dockerode connection options of a host entry (credential files read now; `configPath` names the entry in
 * errors). Every connection key is set, to undefined where unused, so that DOCKER_HOST / DOCKER_CERT_PATH of
 * the environment (dockerode's defaults) never mix into an entry.
 */
export function dockerodeOptions(h: DockerHostConfig, configPath = 'sandbox.docker.hosts[0]', read: (path: string) => Buffer = (p) => readFileSync(p)): Docker.DockerOptions {
  const none = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined, username: undefined, sshOptions: undefined };
  if (isSocket(h)) return { ...none, socketPath: h.socketPath };
  const port = portOf(h);
  if (isSsh(h)) {
    const sshOptions = h.privateKey !== undefined ? { privateKey: readCredential(configPath, 'privateKey', h.privateKey, read) } : { agent: process.env.SSH_AUTH_SOCK };
    return { ...none, protocol: 'ssh', host: h.host, port, username: h.username, sshOptions };
  }
  if (h.protocol === 'http') return { ...none, protocol: 'http', host: h.host, port };
  return {
    ...none,
    protocol: 'https',
    host: h.host,
    port,
    ca: readCredential(configPath, 'ca', h.ca, read),
    cert: readCredential(configPath, 'cert', h.cert, read),
    key: readCredential(configPath, 'key', h.key, read),
  };
}
