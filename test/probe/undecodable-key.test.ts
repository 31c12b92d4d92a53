// A served chain certificate whose SubjectPublicKeyInfo Node cannot decode makes
// certificateFacts() throw (X509Certificate.publicKey → ERR_OSSL_EVP_DECODE_ERROR):
// probe() rejects instead of returning a ProbeResult (runProbes turns it into an
// UNKNOWN "internal error" with no TLS facts at all). The intermediates are never
// checked by the handshake, so any server (or MITM) can send one.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../fixtures/pki.js';
import { smtpDialog } from '../../fixtures/faulty-servers.js';
import { options, probePort, useFixtures } from '../probe/helpers.js';

const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});

const pemToDer = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
const derToPem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;

/** The test intermediate with its SPKI algorithm OID changed from rsaEncryption to 1.2.840.113549.1.1.127. */
function undecodableIntermediate(): string {
  const der = pemToDer(pki.intermediate.certPem);
  const rsaEncryption = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
  const at = der.indexOf(rsaEncryption);
  if (at < 0) throw new Error('no rsaEncryption OID in the intermediate');
  der[at + rsaEncryption.length - 1] = 0x7f;
  return derToPem(der);
}

describe('a hostile chain is reported, never thrown', () => {
  it('an intermediate with an undecodable public key is reported, not thrown', async () => {
    const leaf = pki.leaves.good;
    // SECLEVEL=0 only so the fixture's OpenSSL agrees to serve the odd certificate.
    const tlsOptions = { key: leaf.keyPem, cert: leaf.certPem + undecodableIntermediate(), ciphers: 'DEFAULT@SECLEVEL=0' };
    const s = await fx.raw((io) => smtpDialog(io, { tls: tlsOptions }));
    const r = await probePort(s.port, options(pki));
    expect(r.tls).not.toBeNull();
    expect(r.certificates).toHaveLength(2);
    expect(r.certificates[1].key.type).toBe('unknown');
    expect(r.verification?.trusted).toBe(false);
    expect(r.status).toBe('critical');
  });
});
