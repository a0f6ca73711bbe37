// An SSH server on a loopback port, standing in for a remote Docker host reached over ssh: ssh2's server (the
// same protocol implementation as the client dockerode uses) accepts one user's public key and runs only
// `docker system dial-stdio` (what dockerode asks for), with the real docker CLI against the daemon given.
import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';

const { Server, utils } = ssh2;

/** A running server: connect as `username` with the key in `privateKey` (a file) to 127.0.0.1:`port`. */
export interface TestSshServer {
  port: number;
  username: string;
  privateKey: string;
  /** Commands clients ran, in order. */
  commands: string[];
  close(): Promise<void>;
}

/** Starts the server; `dockerHost` is the DOCKER_HOST its `docker system dial-stdio` reaches; keys go to `dir`. */
export async function startSshServer(dockerHost: string, dir: string): Promise<TestSshServer> {
  mkdirSync(dir, { recursive: true });
  const hostKey = utils.generateKeyPairSync('ed25519');
  const userKey = utils.generateKeyPairSync('ed25519');
  const privateKey = join(dir, 'id_ed25519');
  writeFileSync(privateKey, userKey.private, { mode: 0o600 });
  const allowed = utils.parseKey(userKey.public);
  if (allowed instanceof Error) throw allowed;
  const username = 'molrl';
  const commands: string[] = [];
  const clients = new Set<ssh2.Connection>();

  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const keyOk =
        ctx.method === 'publickey' &&
        ctx.username === username &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.length === allowed.getPublicSSH().length &&
        timingSafeEqual(ctx.key.data, allowed.getPublicSSH()) &&
        (!ctx.signature || allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true);
      if (keyOk) ctx.accept();
      else ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (accept, reject, info) => {
          commands.push(info.command);
          if (info.command !== 'docker system dial-stdio') return reject();
          const stream = accept();
          const child = spawn('docker', ['system', 'dial-stdio'], { env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: ['pipe', 'pipe', 'pipe'] });
          stream.pipe(child.stdin);
          child.stdout.pipe(stream, { end: false });
          child.stderr.pipe(stream.stderr);
          child.stdin.on('error', () => undefined);
          child.on('exit', (code) => {
            stream.exit(code ?? 1);
            stream.end();
          });
          stream.on('close', () => child.kill());
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    username,
    privateKey,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.close(() => resolve());
      }),
  };
}
