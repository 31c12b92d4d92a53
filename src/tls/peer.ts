import type { X509Certificate } from 'node:crypto';
import { isIP } from '../ip.js';
import type { TLSSocket } from 'node:tls';
import { ProbeError } from '../errors.js';
import type { CertificateFacts, TlsFacts, VerificationFacts } from '../types.js';
import type { ResolvedOptions } from '../options.js';
import { negotiatedFacts } from './negotiated.js';
import { chainAsSent } from './certificate.js';
import { chainCertificateFacts } from './certificate-cache.js';
import { aLabelName, verifyPeer } from '../verify.js';
import { referenceNames } from '../reference-names.js';

export interface PeerFacts {
  tls: TlsFacts;
  certificates: CertificateFacts[];
  verification: VerificationFacts;
  /** The chain as served, for DANE matching. */
  chain: X509Certificate[];
}

/**
 * The SNI to send: --servername, else the host name; never an IP literal (RFC 6066 §3), and in
 * A-labels (RFC 6066 §3 "HostName" is ASCII; Postfix converts it: tls_client.c tls_auth_enable()).
 */
export function sniFor(o: Pick<ResolvedOptions, 'servername'>, host: string): string | null {
  const sni = o.servername ?? (isIP(host) ? null : host);
  return sni && !isIP(sni) ? aLabelName(sni) : null;
}

/**
 * Everything a finished handshake tells: negotiated facts, the chain exactly as
 * served, and the trust and name verdicts, decided separately. Call once per
 * connection: on Node 20 getPeerX509Certificate() consumes the peer chain.
 */
export function readPeer(secure: TLSSocket, o: ResolvedOptions, target: { host: string; nexthop: string }): PeerFacts {
  const tls = negotiatedFacts(secure, sniFor(o, target.host));
  const leaf = secure.getPeerX509Certificate();
  const { chain, truncated } = chainAsSent(leaf);
  if (truncated) throw new ProbeError('handshake', 'protocol-violation', `certificate chain longer than ${chain.length} certificates`);
  const now = Date.now();
  // Postfix's fingerprints in the run's digest (relay_clientcerts, tls_policy match=).
  const certificates = chain.map((c) => chainCertificateFacts(c, now, o.showCerts, o.fingerprintDigest));
  const authError = secure.authorizationError as unknown;
  const verification = verifyPeer({
    leaf,
    chain: certificates,
    authorized: secure.authorized,
    authorizationError: authError == null ? null : String((authError as { code?: string }).code ?? authError),
    referenceNames: referenceNames(o, target),
    fingerprints: o.level === 'fingerprint' ? o.match : undefined,
    fingerprintDigest: o.fingerprintDigest,
  });
  return { tls, certificates, verification, chain };
}
