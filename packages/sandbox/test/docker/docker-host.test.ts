// Host entries of a sandbox fleet become dockerode's own connection options, a name, and docker CLI flags; the
// config schema accepts the three shapes and names the fields of the shape an entry has.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { validateSandboxConfig } from '@molrl/sandbox';
import { describeHost, dockerodeOptions } from '../../src/docker/docker-host.ts';
import { hostOfClient } from '../../src/docker/docker-options.ts';

describe('docker hosts', () => {
  let dir: string;
  const files: Record<string, string> = {};
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'molrl-hosts-'));
    for (const f of ['ca', 'cert', 'key', 'id']) writeFileSync((files[f] = join(dir, `${f}.pem`)), `${f} pem\n`);
    mkdirSync(join(dir, 'env'));
    for (const f of ['ca', 'cert', 'key']) writeFileSync(join(dir, 'env', `${f}.pem`), `-----BEGIN CERTIFICATE-----\nenv ${f}\n-----END CERTIFICATE-----\n`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('describeHost', () => {
    it('names each shape as the docker CLI would, with the flags that reach it', () => {
      assert.deepEqual(describeHost({ socketPath: '/run/d.sock' }), { name: 'unix:///run/d.sock', cliArgs: ['-H', 'unix:///run/d.sock'] });
      assert.deepEqual(describeHost({ host: '10.0.0.5', ca: '/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem' }), {
        name: 'tcp://10.0.0.5:2376',
        cliArgs: ['-H', 'tcp://10.0.0.5:2376', '--tlsverify', '--tlscacert=/c/ca.pem', '--tlscert=/c/cert.pem', '--tlskey=/c/key.pem'],
      });
      assert.deepEqual(describeHost({ host: 'box', protocol: 'http' }), { name: 'tcp://box:2375', cliArgs: ['-H', 'tcp://box:2375'] });
      assert.deepEqual(describeHost({ protocol: 'ssh', host: 'box', username: 'me', port: 2222 }), { name: 'ssh://me@box:2222', cliArgs: ['-H', 'ssh://me@box:2222'] });
      assert.equal(describeHost({ protocol: 'ssh', host: '::1', username: 'me' }).name, 'ssh://me@[::1]:22');
    });
  });

  describe('dockerodeOptions', () => {
    const saved = { ...process.env };
    // dockerode's defaults come from these; an entry must not pick any of them up
    beforeEach(() => Object.assign(process.env, { DOCKER_HOST: 'tcp://elsewhere:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'env') }));
    afterEach(() => {
      for (const k of ['DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH']) delete process.env[k];
      Object.assign(process.env, saved);
    });

    it('a socket entry: the socket only, whatever DOCKER_HOST says', () => {
      const modem = new Docker(dockerodeOptions({ socketPath: '/run/d.sock' })).modem as unknown as Record<string, unknown>;
      assert.deepEqual([modem.socketPath, modem.host, modem.protocol], ['/run/d.sock', undefined, 'http']);
    });

    it('a TLS entry: https with the files read as PEM contents', () => {
      const o = dockerodeOptions({ host: '10.0.0.5', port: 2400, ca: files.ca!, cert: files.cert!, key: files.key! });
      assert.deepEqual({ ...o, ca: String(o.ca), cert: String(o.cert), key: String(o.key) }, {
        socketPath: undefined, username: undefined, sshOptions: undefined,
        protocol: 'https', host: '10.0.0.5', port: 2400, ca: 'ca pem\n', cert: 'cert pem\n', key: 'key pem\n',
      });
      const modem = new Docker(o).modem as unknown as Record<string, unknown>;
      assert.deepEqual([modem.host, modem.port, modem.protocol, modem.socketPath], ['10.0.0.5', 2400, 'https', undefined]);
    });

    it('a plain TCP entry: http without credentials', () => {
      const modem = new Docker(dockerodeOptions({ host: 'box', protocol: 'http' })).modem as unknown as Record<string, unknown>;
      assert.deepEqual([modem.host, modem.port, modem.protocol, modem.ca, modem.cert], ['box', 2375, 'http', undefined, undefined]);
    });

    it('an ssh entry: the key file, or the ssh agent without one', () => {
      const withKey = dockerodeOptions({ protocol: 'ssh', host: 'box', username: 'me', privateKey: files.id! });
      assert.deepEqual([withKey.protocol, withKey.host, withKey.port, withKey.username, String(withKey.sshOptions?.privateKey)], ['ssh', 'box', 22, 'me', 'id pem\n']);
      process.env.SSH_AUTH_SOCK = '/tmp/agent.sock';
      assert.deepEqual(dockerodeOptions({ protocol: 'ssh', host: 'box', username: 'me' }).sshOptions, { agent: '/tmp/agent.sock' });
    });

    it('an unreadable credential file is CONFIG_INVALID naming the entry, the field and the path', () => {
      assert.throws(
        () => dockerodeOptions({ host: 'box', ca: files.ca!, cert: join(dir, 'missing.pem'), key: files.key! }, 'sandbox.docker.hosts[2]'),
        (e: { code: string; path: string; message: string }) => {
          assert.equal(e.code, 'CONFIG_INVALID');
          assert.equal(e.path, 'sandbox.docker.hosts[2].cert');
          assert.match(e.message, /cannot read .*missing\.pem \(.*ENOENT/);
          return true;
        },
      );
    });
  });

  describe('hostOfClient', () => {
    it('names a client on an explicit socket by it, and leaves the default daemon to the CLI default', () => {
      assert.deepEqual(hostOfClient(new Docker({ socketPath: '/run/x.sock' })), { name: 'unix:///run/x.sock', cliArgs: ['-H', 'unix:///run/x.sock'] });
      assert.deepEqual(hostOfClient(new Docker({ host: 'box', port: 2375 })), { name: null, cliArgs: [] });
    });
  });

  describe('the hosts schema', () => {
    const problems = (hosts: unknown): string => {
      try {
        validateSandboxConfig({ docker: { hosts } });
      } catch (error) {
        return (error as { details: { problems: string[] } }).details.problems.join('\n');
      }
      return '';
    };

    it('accepts the three shapes, each with its poolSize, and the fleet options', () => {
      const hosts = [
        { socketPath: '/var/run/docker.sock', poolSize: 4 },
        { host: '10.0.0.5', port: 2376, ca: '/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem', poolSize: 8 },
        { protocol: 'http', host: '127.0.0.1', port: 2375 },
        { protocol: 'ssh', host: 'gpu-box', username: 'molrl', privateKey: '/home/me/.ssh/id_ed25519' },
      ];
      const config = validateSandboxConfig({ docker: { hosts, hostTimeoutMs: 2000, hostProbeMaxMs: 10_000, poolSize: 2 } });
      assert.deepEqual(config.docker, { hosts, hostTimeoutMs: 2000, hostProbeMaxMs: 10_000, poolSize: 2 });
    });

    it('reports the fields of the shape an entry has, with its index', () => {
      assert.match(problems([{ socketPath: 'docker.sock', port: 1 }]), /hosts\[0\]: unexpected property "port"; expected one of: socketPath, poolSize\n.*hosts\[0\]\.socketPath: must match pattern "\^\/"/);
      assert.match(problems([{ socketPath: '/s' }, { host: 'box', ca: '/ca.pem' }]), /hosts\[1\]: must have required property 'cert'[^\n]*\n.*hosts\[1\]: must have required property 'key'/);
      assert.match(problems([{ protocol: 'ssh', host: 'box' }]), /hosts\[0\]: must have required property 'username'/);
      assert.match(problems([{ protocol: 'ssh', host: 'box', username: 'u', ca: '/ca.pem' }]), /unexpected property "ca"; expected one of: protocol, host, port, username, privateKey, poolSize/);
      assert.match(problems([{ protocol: 'http', host: 'box', cert: '/c.pem' }]), /unexpected property "cert"; expected one of: protocol, host, port, poolSize/);
      assert.match(problems([{ protocol: 'ftp', host: 'box', ca: '/a', cert: '/b', key: '/c' }]), /hosts\[0\]\.protocol: must be equal to one of the allowed values "https", "http", "ssh"/);
      assert.match(problems([{ host: 'http://box', ca: '/a', cert: '/b', key: '/c' }]), /hosts\[0\]\.host: must match pattern/);
      assert.match(problems([{ host: 'box', ca: 'ca.pem', cert: '/b', key: '/c' }]), /hosts\[0\]\.ca: must match pattern "\^\/"/);
      assert.match(problems([{ socketPath: '/s', poolSize: 0 }]), /hosts\[0\]\.poolSize: must be >= 1/);
      assert.match(problems([]), /hosts: must NOT have fewer than 1 items/);
    });
  });
});
