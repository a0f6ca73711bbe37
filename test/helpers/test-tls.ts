// Certificates for a Docker daemon's TLS listener on loopback, made with openssl: a CA, a server certificate
// for 127.0.0.1 / localhost, and a client certificate (the daemon's --tlsverify checks it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files written by makeCertificates (absolute paths). */
export interface TestCertificates {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** A P-256 key and a certificate signed by `ca` (or self-signed when `ca` is null) with the given extensions. */
function issue(dir: string, name: string, subject: string, ca: { cert: string; key: string } | null, extensions: string): { cert: string; key: string } {
  const key = join(dir, `${name}-key.pem`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `${extensions}\n`);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', subject];
  if (ca === null) {
    openssl(['req', '-x509', ...newKey, '-out', cert, '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  } else {
    const csr = join(dir, `${name}.csr`);
    openssl(['req', ...newKey, '-out', csr]);
    openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  }
  return { cert, key };
}

/** Writes a fresh CA, server and client certificate into `dir`. */
export function makeCertificates(dir: string): TestCertificates {
  mkdirSync(dir, { recursive: true });
  const ca = issue(dir, 'ca', '/CN=molrl test CA', null, '');
  const server = issue(dir, 'server', '/CN=localhost', ca, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  const client = issue(dir, 'client', '/CN=molrl test client', ca, 'extendedKeyUsage=clientAuth');
  return { ca: ca.cert, serverCert: server.cert, serverKey: server.key, clientCert: client.cert, clientKey: client.key };
}
