// Loading --cert/--key as Postfix admins have them: chain files, the key in the same file, an
// encrypted key with its password file; and every mistake as one UsageError line naming the flag.
import { readFileSync } from 'node:fs';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { CLIENT_NAME, createClientCerts, type ClientCerts } from '../../fixtures/client-certs.js';
import { loadClientCertificate } from '../../src/tls/client-certificate.js';
import { resolveSubmissionOptions } from '../../src/submission-options.js';
import { UsageError } from '../../src/errors.js';
import type { ProbeOptions } from '../../src/types.js';

let pki: Pki;
let certs: ClientCerts;
const read = (path: string) => readFileSync(path, 'utf8');

beforeAll(async () => {
  pki = await createPki();
  certs = await createClientCerts(pki);
});
afterAll(() => {
  certs?.cleanup();
  // createPki()'s exit hook never runs in a vitest worker: the keys go with this file.
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
});

/** The one-line UsageError resolveSubmissionOptions throws for these options. */
function usageError(options: ProbeOptions): string {
  try {
    resolveSubmissionOptions(options, {});
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    // Never key material: no long base64 run.
    expect(message).not.toMatch(/[A-Za-z0-9+/]{40,}/);
    return message;
  }
  throw new Error('no UsageError');
}

describe('loading a client certificate', () => {
  it.each([
    ['key in its own file', () => ({ clientCertFile: certs.chainFile, clientKeyFile: certs.keyFile })],
    ['key, certificate and chain in one file', () => ({ clientCertFile: certs.combinedFile })],
    ['key after the chain', () => ({ clientCertFile: certs.keyLastFile })],
    ['encrypted PKCS#8 key with its password file', () => ({ clientCertFile: certs.chainFile, clientKeyFile: certs.encryptedKeyFile, clientKeyPasswordFile: certs.keyPasswordFile })],
    ['traditional encrypted key (Proc-Type: 4,ENCRYPTED)', () => ({ clientCertFile: certs.certFile, clientKeyFile: certs.traditionalEncryptedKeyFile, clientKeyPasswordFile: certs.keyPasswordFile })],
  ] as const)('%s', (_name, options) => {
    const { clientCert } = resolveSubmissionOptions(options(), {});
    expect(clientCert).not.toBeNull();
    expect(clientCert!.leaf.subject).toContain(`CN=${CLIENT_NAME}`);
    // The key is decrypted once, at load: the TLS context gets a plain PKCS#8 key.
    expect(clientCert!.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(clientCert!.certPem.match(/BEGIN CERTIFICATE/g)!.length).toBe(options().clientCertFile === certs.certFile ? 1 : 2);
  });

  it('takes PEM text as well as files (library callers)', () => {
    const c = loadClientCertificate({ cert: read(certs.chainFile), key: read(certs.encryptedKeyFile), password: 'key-pass-Ω-123' });
    expect(c.leaf.checkPrivateKey).toBeDefined();
    expect(c.id).toMatch(/^[0-9A-F:]{95}$/);
  });

  it.each([
    ['a key that does not match', () => ({ clientCertFile: certs.chainFile, clientKeyFile: certs.otherKeyFile }), /^--key: the private key does not match the certificate in --cert \(.*CN=client\.test\.example\)$/],
    ['an encrypted key without a password file', () => ({ clientCertFile: certs.chainFile, clientKeyFile: certs.encryptedKeyFile }), /^--key: the private key is encrypted: give its password with --key-password-file FILE$/],
    ['an encrypted key with the wrong password', () => ({ clientCertFile: certs.chainFile, clientKeyFile: certs.traditionalEncryptedKeyFile, clientKeyPasswordFile: certs.wrongPasswordFile }), /^--key: cannot decrypt the private key with the password from --key-password-file \(wrong password\?\)$/],
    ['a missing certificate file', () => ({ clientCertFile: `${certs.dir}/nope.pem` }), /^--cert: cannot read .*nope\.pem: ENOENT$/],
    ['a missing key file', () => ({ clientCertFile: certs.certFile, clientKeyFile: `${certs.dir}/nope.key` }), /^--key: cannot read .*nope\.key: ENOENT$/],
    ['a missing password file', () => ({ clientCertFile: certs.certFile, clientKeyFile: certs.encryptedKeyFile, clientKeyPasswordFile: `${certs.dir}/nope` }), /^--key-password-file: cannot read .*nope: ENOENT$/],
    ['a certificate file without a key and no --key', () => ({ clientCertFile: certs.chainFile }), /^--cert: the file holds no private key: give it with --key FILE$/],
    ['a key file given as the certificate', () => ({ clientCertFile: certs.keyFile }), /^--cert: no PEM certificate/],
    ['a certificate given as the key', () => ({ clientCertFile: certs.certFile, clientKeyFile: certs.certFile }), /^--key: no PEM private key/],
    ['the chain before the client certificate', () => ({ clientCertFile: certs.wrongOrderFile }), /^--cert: the private key belongs to certificate #2 of the file, not the first: put the client certificate first, then its chain$/],
    ['--key without --cert', () => ({ clientKeyFile: certs.keyFile }), /^--key needs --cert FILE$/],
    ['--compare-relay without --cert', () => ({ compareRelay: true, to: ['a@b.example'] }), /^--compare-relay .* give --cert FILE$/],
    ['--compare-relay without --to', () => ({ compareRelay: true, clientCertFile: certs.combinedFile }), /^--compare-relay needs --to ADDR/],
  ] as const)('refuses %s with one line', (_name, options, message) => {
    expect(usageError(options())).toMatch(message);
  });
});
