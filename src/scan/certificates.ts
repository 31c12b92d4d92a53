// The certificate served per key type: a server with RSA and ECDSA certificates (Postfix
// smtpd_tls_chain_files, or smtpd_tls_cert_file + smtpd_tls_eccert_file) picks by the client's
// signature algorithms (TLS 1.2/1.3) and cipher authentication (TLS <= 1.2), so ask once for
// each, and note the signature the server made with it (src/tls/handshake-trace.ts).
import type { ScanCertificate } from './types.js';
import { certificateFacts } from '../tls/certificate.js';
import { handshakeTraceOf } from '../tls/handshake-trace.js';
import { tlsAttempt } from './attempt.js';
import { CIPHERS, cipherOption } from './cipher-info.js';
import type { AttemptRunner } from './runner.js';
import { notTested } from './untested.js';
import type { ScanTarget } from './target.js';

const REQUESTS = {
  ecdsa: { sigalgs: 'ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512:ECDSA+SHA1', au: 'ECDSA' },
  rsa: { sigalgs: 'rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512:RSA+SHA1', au: 'RSA' },
} as const;

export async function scanCertificates(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<ScanCertificate[]> {
  return Promise.all((['ecdsa', 'rsa'] as const).map(async (requested): Promise<ScanCertificate> => {
    const { sigalgs, au } = REQUESTS[requested];
    const ciphers = cipherOption(CIPHERS.filter((c) => c.authentication === au || c.minProtocol === 'TLSv1.3'));
    const r = await runner.run(() => tlsAttempt(t, { minVersion: 'TLSv1', maxVersion: 'TLSv1.3', ciphers, sigalgs, trace: true }, ({ socket }) => {
      const leaf = socket.getPeerX509Certificate();
      return { leaf: leaf ? certificateFacts(leaf, Date.now(), false) : null, signature: handshakeTraceOf(socket)?.signature ?? null };
    }, signal));
    if (r.kind === 'unavailable' || r.kind === 'skipped' || r.kind === 'failed') return { requested, leaf: null, signature: null, untestedReason: notTested(r, runner) };
    if (r.kind === 'rejected') return { requested, leaf: null, signature: null, untestedReason: null };
    const { leaf, signature } = r.value;
    // A server without such a key may still answer with its other one: keep only a real match.
    const matches = leaf && (requested === 'ecdsa' ? leaf.key.type === 'ec' : leaf.key.type === 'rsa' || leaf.key.type === 'rsa-pss');
    return { requested, leaf: matches ? leaf : null, signature: matches ? signature : null, untestedReason: null };
  }));
}
