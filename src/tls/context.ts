import tls, { type SecureContext, type SecureVersion } from 'node:tls';

export interface TlsClientConfig {
  /** PEM CA certificates; replaces Node's bundled roots unless appendCa. */
  ca?: string;
  appendCa?: boolean;
  /** OpenSSL cipher string for TLS <= 1.2. */
  ciphers: string;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
}

// Postfix's `medium` grade: tls_medium_cipherlist = aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH,
// the default of smtp_tls_ciphers. Offering what Postfix's smtp client offers
// makes the negotiated cipher the one real mail delivery gets.
export const POSTFIX_MEDIUM_CIPHERS = 'aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH';

/**
 * The cipher string for a level: Postfix appends !aNULL when certificates are
 * checked (tls_client.c), and TLS 1.0/1.1 need OpenSSL 3's security level 0.
 */
export function clientCipherString(base: string, verifiesCertificate: boolean): string {
  return `${base}${verifiesCertificate ? ':!aNULL' : ''}:@SECLEVEL=0`;
}

// Creating a SecureContext loads the CA store (~5 ms with Node's roots): one per
// distinct configuration per process, shared by every probe of a run.
const contexts = new Map<string, SecureContext>();

export function secureContextFor(config: TlsClientConfig): SecureContext {
  const key = JSON.stringify([config.ca ?? null, !!config.appendCa, config.ciphers, config.minVersion, config.maxVersion]);
  let context = contexts.get(key);
  if (!context) {
    const ca = config.ca === undefined ? undefined : config.appendCa ? [...tls.rootCertificates, config.ca] : config.ca;
    context = tls.createSecureContext({
      ca,
      ciphers: config.ciphers,
      minVersion: config.minVersion,
      maxVersion: config.maxVersion,
    });
    contexts.set(key, context);
  }
  return context;
}
