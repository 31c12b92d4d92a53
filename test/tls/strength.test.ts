// certificateStrengthFindings: weak signatures and keys, per level, one line per case.
import { describe, expect, it } from 'vitest';
import { certificateStrengthFindings, type DaneMatch } from '../../src/tls/strength.js';
import type { CertificateFacts, Level } from '../../src/types.js';
import { intermediateCert, leafCert } from '../report/sample.js';

const rsa = (bits: number) => ({ type: 'rsa', bits, curve: null });
const ec = (curve: string, bits: number) => ({ type: 'ec', bits, curve });
const sha1Leaf = leafCert({ signatureAlgorithm: 'sha1WithRSAEncryption', key: rsa(2048) });
const goodLeaf = leafCert({ signatureAlgorithm: 'sha256WithRSAEncryption', key: rsa(2048) });
const goodInt = { ...intermediateCert(), key: rsa(2048), signatureAlgorithm: 'sha256WithRSAEncryption', isCA: true };
const sha1Root: CertificateFacts = { ...goodInt, signatureAlgorithm: 'sha1WithRSAEncryption', selfSigned: true, subject: 'CN=Old Root' };

type Case = [string, CertificateFacts[], Level, DaneMatch, Array<[string, string]>];
const cases: Case[] = [
  ['SHA-1 leaf at verify: Postfix refuses the chain', [sha1Leaf, goodInt], 'verify', undefined, [['critical', 'weak-signature']]],
  ['SHA-1 leaf at secure', [sha1Leaf, goodInt], 'secure', undefined, [['critical', 'weak-signature']]],
  ['SHA-1 leaf at may', [sha1Leaf, goodInt], 'may', undefined, [['warning', 'weak-signature']]],
  ['SHA-1 leaf at encrypt', [sha1Leaf, goodInt], 'encrypt', undefined, [['warning', 'weak-signature']]],
  ['SHA-1 leaf at fingerprint (no chain check)', [sha1Leaf, goodInt], 'fingerprint', undefined, [['warning', 'weak-signature']]],
  ['SHA-1 leaf, DANE-EE match', [sha1Leaf, goodInt], 'dane', 'dane-ee', [['warning', 'weak-signature']]],
  ['SHA-1 leaf, DANE-TA match', [sha1Leaf, goodInt], 'dane-only', 'dane-ta', [['critical', 'weak-signature']]],
  ['MD5 intermediate at verify', [goodLeaf, { ...goodInt, signatureAlgorithm: 'md5WithRSAEncryption' }], 'verify', undefined, [['critical', 'weak-signature']]],
  ['ecdsa-with-SHA1 at verify', [leafCert({ signatureAlgorithm: 'ecdsa-with-SHA1', key: ec('prime256v1', 256) })], 'verify', undefined, [['critical', 'weak-signature']]],
  ['a served SHA-1 root: its self-signature is not judged', [goodLeaf, goodInt, sha1Root], 'verify', undefined, []],
  ['a self-signed SHA-1 leaf: not judged either', [{ ...sha1Leaf, selfSigned: true }], 'verify', undefined, []],
  ['all SHA-256, RSA 2048', [goodLeaf, goodInt], 'verify', undefined, []],
  ['SHA-256 with RSA 4096 and P-384', [leafCert({ key: ec('secp384r1', 384) }), { ...goodInt, key: rsa(4096) }], 'secure', undefined, []],
  ['RSA 1024 leaf at verify: allowed at level 1, but weak', [{ ...goodLeaf, key: rsa(1024) }, goodInt], 'verify', undefined, [['warning', 'weak-key']]],
  ['RSA 768 leaf at fingerprint: EE key too weak', [{ ...goodLeaf, key: rsa(768) }], 'fingerprint', undefined, [['critical', 'weak-key']]],
  ['RSA 768 leaf at may', [{ ...goodLeaf, key: rsa(768) }], 'may', undefined, [['warning', 'weak-key']]],
  ['RSA 768 intermediate at verify: CA key too weak', [goodLeaf, { ...goodInt, key: rsa(768) }], 'verify', undefined, [['critical', 'weak-key']]],
  ['RSA 768 intermediate at fingerprint: the chain is not checked', [goodLeaf, { ...goodInt, key: rsa(768) }], 'fingerprint', undefined, [['warning', 'weak-key']]],
  ['P-192 leaf at verify: under 112 bits', [leafCert({ key: ec('prime192v1', 192) })], 'verify', undefined, [['warning', 'weak-key']]],
  ['secp112r1 leaf at verify: under level 1', [leafCert({ key: ec('secp112r1', 112) })], 'verify', undefined, [['critical', 'weak-key']]],
  ['Ed25519: no size to judge', [leafCert({ key: { type: 'ed25519', bits: null, curve: null } })], 'verify', undefined, []],
  ['both on one certificate', [{ ...sha1Leaf, key: rsa(1024) }], 'verify', undefined, [['critical', 'weak-signature'], ['warning', 'weak-key']]],
  ['level none: nothing', [sha1Leaf], 'none', undefined, []],
];

describe('certificateStrengthFindings', () => {
  it.each(cases)('%s', (_name, certs, level, dane, expected) => {
    expect(certificateStrengthFindings(certs, level, dane).map((f) => [f.severity, f.code])).toEqual(expected);
  });

  it('names the certificate, the algorithm and why', () => {
    const [f] = certificateStrengthFindings([sha1Leaf], 'verify');
    expect(f.message).toMatch(/^certificate 1 \(CN=mx1\.example\.com, leaf\) is signed with sha1WithRSAEncryption: .*CA signature digest algorithm too weak$/);
    const [k] = certificateStrengthFindings([goodLeaf, { ...goodInt, key: rsa(768) }], 'verify');
    expect(k.message).toMatch(/^certificate 2 \(C=US.*\) has a RSA 768-bit key: .*CA certificate key too weak$/s);
  });
});
