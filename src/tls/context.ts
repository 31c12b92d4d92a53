import tls, { type SecureContext, type SecureVersion } from 'node:tls';

export interface TlsClientConfig {
  /** PEM CA certificates; replaces Node's bundled roots unless appendCa. */
  ca?: string;
  appendCa?: boolean;
  /** OpenSSL cipher string for TLS <= 1.2. */
  ciphers: string;
  minVersion: SecureVersion;
  maxVersion: SecureVersion;
  /** A client certificate to present when the server asks (src/tls/client-certificate.ts). */
  clientCert?: { id: string; certPem: string; keyPem: string };
}

// Creating a SecureContext loads the CA store (~5 ms with Node's roots): one per
// distinct configuration per process, shared by every probe of a run.
const contexts = new Map<string, SecureContext>();

export function secureContextFor(config: TlsClientConfig): SecureContext {
  const key = JSON.stringify([config.ca ?? null, !!config.appendCa, config.ciphers, config.minVersion, config.maxVersion, config.clientCert?.id ?? null]);
  let context = contexts.get(key);
  if (!context) {
    const ca = config.ca === undefined ? undefined : config.appendCa ? [...tls.rootCertificates, config.ca] : config.ca;
    context = tls.createSecureContext({
      ca,
      ciphers: config.ciphers,
      minVersion: config.minVersion,
      maxVersion: config.maxVersion,
      ...(config.clientCert && { cert: config.clientCert.certPem, key: config.clientCert.keyPem }),
    });
    contexts.set(key, context);
  }
  return context;
}
