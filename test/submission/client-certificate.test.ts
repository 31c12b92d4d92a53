// Loading --cert/--key as Postfix admins have them: chain files, the key in the same file, an
// encrypted key with its password file; and every mistake as one UsageError line naming the flag.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_NAME } from '../../fixtures/client-certs.js';
import { useClientCerts } from './helpers.js';
import { loadClientCertificate } from '../../src/tls/client-certificate.js';
import { resolveSubmissionOptions } from '../../src/submission-options.js';
import { UsageError } from '../../src/errors.js';
import type { ProbeOptions } from '../../src/types.js';

const fx = useClientCerts();
const read = (path: string) => readFileSync(path, 'utf8');

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
    ['key in its own file', () => ({ clientCertFile: fx.certs.chainFile, clientKeyFile: fx.certs.keyFile })],
    ['key, certificate and chain in one file', () => ({ clientCertFile: fx.certs.combinedFile })],
    ['key after the chain', () => ({ clientCertFile: fx.certs.keyLastFile })],
    ['encrypted PKCS#8 key with its password file', () => ({ clientCertFile: fx.certs.chainFile, clientKeyFile: fx.certs.encryptedKeyFile, clientKeyPasswordFile: fx.certs.keyPasswordFile })],
    ['traditional encrypted key (Proc-Type: 4,ENCRYPTED)', () => ({ clientCertFile: fx.certs.certFile, clientKeyFile: fx.certs.traditionalEncryptedKeyFile, clientKeyPasswordFile: fx.certs.keyPasswordFile })],
  ] as const)('%s', (_name, options) => {
    const { clientCert } = resolveSubmissionOptions(options(), {});
    expect(clientCert).not.toBeNull();
    expect(clientCert!.leaf.subject).toContain(`CN=${CLIENT_NAME}`);
    // The key is decrypted once, at load: the TLS context gets a plain PKCS#8 key.
    expect(clientCert!.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(clientCert!.certPem.match(/BEGIN CERTIFICATE/g)!.length).toBe(options().clientCertFile === fx.certs.certFile ? 1 : 2);
  });

  it('takes PEM text as well as files (library callers)', () => {
    const c = loadClientCertificate({ cert: read(fx.certs.chainFile), key: read(fx.certs.encryptedKeyFile), password: 'key-pass-Ω-123' });
    expect(c.leaf.checkPrivateKey).toBeDefined();
    expect(c.id).toMatch(/^[0-9A-F:]{95}$/);
  });

  it.each([
    ['a key that does not match', () => ({ clientCertFile: fx.certs.chainFile, clientKeyFile: fx.certs.otherKeyFile }), /^--key: the private key does not match the certificate in --cert \(.*CN=client\.test\.example\)$/],
    ['an encrypted key without a password file', () => ({ clientCertFile: fx.certs.chainFile, clientKeyFile: fx.certs.encryptedKeyFile }), /^--key: the private key is encrypted: give its password with --key-password-file FILE$/],
    ['an encrypted key with the wrong password', () => ({ clientCertFile: fx.certs.chainFile, clientKeyFile: fx.certs.traditionalEncryptedKeyFile, clientKeyPasswordFile: fx.certs.wrongPasswordFile }), /^--key: cannot decrypt the private key with the password from --key-password-file \(wrong password\?\)$/],
    ['a missing certificate file', () => ({ clientCertFile: `${fx.certs.dir}/nope.pem` }), /^--cert: cannot read .*nope\.pem: ENOENT$/],
    ['a missing key file', () => ({ clientCertFile: fx.certs.certFile, clientKeyFile: `${fx.certs.dir}/nope.key` }), /^--key: cannot read .*nope\.key: ENOENT$/],
    ['a missing password file', () => ({ clientCertFile: fx.certs.certFile, clientKeyFile: fx.certs.encryptedKeyFile, clientKeyPasswordFile: `${fx.certs.dir}/nope` }), /^--key-password-file: cannot read .*nope: ENOENT$/],
    ['a certificate file without a key and no --key', () => ({ clientCertFile: fx.certs.chainFile }), /^--cert: the file holds no private key: give it with --key FILE$/],
    ['a key file given as the certificate', () => ({ clientCertFile: fx.certs.keyFile }), /^--cert: no PEM certificate/],
    ['a certificate given as the key', () => ({ clientCertFile: fx.certs.certFile, clientKeyFile: fx.certs.certFile }), /^--key: no PEM private key/],
    ['the chain before the client certificate', () => ({ clientCertFile: fx.certs.wrongOrderFile }), /^--cert: the private key belongs to certificate #2 of the file, not the first: put the client certificate first, then its chain$/],
    ['--key without --cert', () => ({ clientKeyFile: fx.certs.keyFile }), /^--key needs --cert FILE$/],
    ['--compare-relay without --cert', () => ({ compareRelay: true, to: ['a@b.example'] }), /^--compare-relay .* give --cert FILE$/],
    ['--compare-relay without --to', () => ({ compareRelay: true, clientCertFile: fx.certs.combinedFile }), /^--compare-relay needs --to ADDR/],
  ] as const)('refuses %s with one line', (_name, options, message) => {
    expect(usageError(options())).toMatch(message);
  });
});
