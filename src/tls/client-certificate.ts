// The client certificate mxprobe presents, as Postfix's smtp client does with
// smtp_tls_chain_files / smtp_tls_cert_file + smtp_tls_key_file: PEM, the certificate first, then
// its chain; the private key in the same text or apart; an encrypted key with its password.
// Every problem is a one-line UsageError that names the flag and never quotes key material.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { ClientCertificateFacts, PostfixFingerprints } from '../types.js';
import { digestOf } from './certificate.js';
import { postfixFingerprints } from '../fingerprint.js';

export interface ClientCertificate {
  /** The certificate and its chain, PEM, in the order given (leaf first). */
  certPem: string;
  /** The private key, decrypted once here, as unencrypted PKCS#8 PEM (kept in memory only). */
  keyPem: string;
  leaf: X509Certificate;
  /** SHA-256 of the PEM presented (leaf and chain): names the TLS context that presents it. */
  id: string;
}

export interface ClientCertificateInput {
  /** PEM text: certificates, optionally followed (or preceded) by the private key. */
  cert: string;
  /** PEM text of the private key, when it is not in `cert`. */
  key?: string;
  /** Password of an encrypted key. */
  password?: string;
}

/** Flag names for the messages (the library's option names are in parentheses there). */
export interface ClientCertificateFlags {
  cert: string;
  key: string;
  password: string;
}

const CLI_FLAGS: ClientCertificateFlags = { cert: '--cert', key: '--key', password: '--key-password-file' };

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:ENCRYPTED |RSA |EC |DSA )?PRIVATE KEY)-----[\s\S]+?-----END \1-----/g;

export function loadClientCertificate(input: ClientCertificateInput, flags: ClientCertificateFlags = CLI_FLAGS): ClientCertificate {
  const blocks = input.cert.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) throw new UsageError(`${flags.cert}: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file`);
  const chain = blocks.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new UsageError(`${flags.cert}: certificate #${i + 1} in the file is not a valid X.509 certificate`);
    }
  });
  const key = privateKeyOf(input, flags);
  const leaf = chain[0];
  if (!leaf.checkPrivateKey(key)) {
    // A chain file in the wrong order is the common way to get here: say so.
    const other = chain.findIndex((c, i) => i > 0 && c.checkPrivateKey(key));
    if (other > 0) throw new UsageError(`${flags.cert}: the private key belongs to certificate #${other + 1} of the file, not the first: put the client certificate first, then its chain`);
    throw new UsageError(`${flags.key}: the private key does not match the certificate in ${flags.cert} (${oneLine(leaf.subject)})`);
  }
  const certPem = blocks.join('\n') + '\n';
  return { certPem, keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string, leaf, id: digestOf(Buffer.from(certPem)) };
}

function privateKeyOf(input: ClientCertificateInput, flags: ClientCertificateFlags): KeyObject {
  const source = input.key !== undefined ? { text: input.key, flag: flags.key } : { text: input.cert, flag: flags.cert };
  const keys = [...source.text.matchAll(KEY_BLOCK)].map((m) => m[0]);
  if (keys.length === 0) {
    throw new UsageError(input.key !== undefined
      ? `${flags.key}: no PEM private key (-----BEGIN PRIVATE KEY-----) in the file`
      : `${flags.cert}: the file holds no private key: give it with ${flags.key} FILE`);
  }
  if (keys.length > 1) throw new UsageError(`${source.flag}: the file holds ${keys.length} private keys; give exactly one`);
  const pem = keys[0];
  // PKCS#8 "ENCRYPTED PRIVATE KEY", or the traditional form with "Proc-Type: 4,ENCRYPTED".
  const encrypted = pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
  if (encrypted && input.password === undefined) throw new UsageError(`${source.flag}: the private key is encrypted: give its password with ${flags.password} FILE`);
  try {
    return createPrivateKey(encrypted ? { key: pem, format: 'pem', passphrase: input.password } : { key: pem, format: 'pem' });
  } catch {
    throw new UsageError(encrypted
      ? `${source.flag}: cannot decrypt the private key with the password from ${flags.password} (wrong password?)`
      : `${source.flag}: the private key cannot be read (not a valid PEM key)`);
  }
}

const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');

/**
 * What the result says about the certificate we presented. `requested` comes from the server's
 * handshake flight (a CertificateRequest), which Node does not expose: null until a handshake
 * trace reads it (TLS <= 1.2 in the clear, TLS 1.3 decrypted with the keylog secrets). The
 * client sends its certificate exactly when asked (RFC 8446 §4.4.2, RFC 5246 §7.4.6).
 */
export function clientCertificateFacts(cert: ClientCertificate, digest: PostfixFingerprints['digest'], requested: boolean | null): ClientCertificateFacts {
  return { requested, sent: requested, subject: oneLine(cert.leaf.subject), fingerprints: postfixFingerprints(cert.leaf, digest) };
}
