// One PEM reader for --ca-file, --next-cert and tlsa --cert: every CERTIFICATE block must be a
// whole certificate, or the file is a usage error naming the file, the block and its line.
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../fixtures/pki.js';
import { UsageError } from '../src/errors.js';
import { readPemCertificates } from '../src/pem.js';
import { resolveOptions } from '../src/options.js';
import { readMaterial } from '../src/dane/tlsa-records.js';

let pki: Pki;
let root: string;
let inter: string;
beforeAll(async () => {
  pki = await createPki();
  root = pki.root.certPem;
  inter = pki.intermediate.certPem;
});

/** A certificate's base64 lines (between the markers). */
const body = (pem: string) => pem.trim().split('\n').slice(1, -1);
const block = (lines: string[], label = 'CERTIFICATE') => [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`, ''].join('\n');
/** Re-encoded DER with `extra` bytes appended (OpenSSL would read the certificate and ignore them). */
const withTrailing = (pem: string, extra: Buffer) => {
  const der = Buffer.concat([Buffer.from(body(pem).join(''), 'base64'), extra]);
  return block(der.toString('base64').match(/.{1,64}/g)!);
};
const lines = (text: string) => text.split('\n').length - 1;

describe('readPemCertificates: good files', () => {
  it('a bundle: every certificate, in order, and the PEM of exactly those', () => {
    const r = readPemCertificates(root + inter, 'ca.pem');
    expect(r.certificates.map((c) => c.fingerprint256)).toEqual([pki.root.sha256, pki.intermediate.sha256]);
    expect(r.pem).toBe(root + inter);
  });

  it('explanatory text, CRLF, keys and CRL blocks around the certificates are fine; only certificates are kept', () => {
    const text = `subject=CN = mxprobe Test Root CA\r\n${root.replace(/\n/g, '\r\n')}Bag Attributes\n    localKeyID: 01\n${pki.leaves.good.keyPem}${inter}`;
    const r = readPemCertificates(text, 'ca.pem');
    expect(r.certificates).toHaveLength(2);
    expect(r.pem).toBe(root + inter);
  });
});

describe('readPemCertificates: broken files are usage errors naming the file, the block and its line', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['one good and one corrupt block', () => root + block(['AAAAAAAA']), /^ca\.pem: certificate in PEM block 2 \(line \d+\) cannot be parsed/],
    ['markers around garbage', () => block(['this is not a certificate']), /^ca\.pem: certificate in PEM block 1 \(line 1\) is not base64/],
    ['base64 of garbage', () => block([Buffer.from('hello world, not DER').toString('base64')]), /block 1 \(line 1\) cannot be parsed/],
    ['a truncated certificate', () => block(body(root).slice(0, -3)), /block 1 \(line 1\) (cannot be parsed|is not base64)/],
    ['bytes after the certificate', () => withTrailing(root, Buffer.from('garbage')), /block 1 \(line 1\) has 7 bytes of garbage after the certificate/],
    ['an empty block', () => block([]), /block 1 \(line 1\) is empty/],
    ['padding in the middle', () => block(['QUJD==', 'QUJD']), /is not base64/],
    ['BEGIN without END', () => root + block(body(inter)).replace(/-----END CERTIFICATE-----\n$/, ''), /PEM block 2 \(line \d+, CERTIFICATE\) has no END line/],
    ['END without BEGIN', () => `${root}-----END CERTIFICATE-----\n`, /line \d+: "-----END CERTIFICATE-----" without a BEGIN/],
    ['labels that differ', () => root.replace(/END CERTIFICATE/, 'END X509 CRL'), /begins as CERTIFICATE but ends as X509 CRL/],
    ['a malformed marker', () => root.replace('-----BEGIN CERTIFICATE-----', '-----BEGIN CERTIFICATE----'), /line 1: malformed PEM marker/],
    ['a TRUSTED CERTIFICATE (never skipped silently)', () => block(body(root), 'TRUSTED CERTIFICATE'), /PEM block 1 \(line 1\) is a "TRUSTED CERTIFICATE"/],
    ['only a key', () => pki.leaves.good.keyPem, /^ca\.pem: no PEM certificate found \(only PRIVATE KEY\)$/],
    ['an empty file', () => '', /^ca\.pem: no PEM certificate found$/],
    ['DER, not PEM', () => Buffer.from(body(root).join(''), 'base64').toString('latin1'), /no PEM certificate found/],
  ];
  it.each(cases)('%s', (_name, text, message) => {
    expect(() => readPemCertificates(text(), 'ca.pem')).toThrow(UsageError);
    expect(() => readPemCertificates(text(), 'ca.pem')).toThrow(message);
  });

  it('the line named is the BEGIN line of the bad block', () => {
    const text = `# my roots\n\n${root}${inter}${block(['AAAAAAAA'])}`;
    expect(() => readPemCertificates(text, 'ca.pem')).toThrow(`PEM block 3 (line ${3 + lines(root) + lines(inter)})`);
  });
});

describe('the readers that use it', () => {
  it('--next-cert: a corrupt second block is a usage error, not a half-read chain', () => {
    expect(() => resolveOptions({ level: 'dane', nextCert: pki.leaves.good.certPem + block(['AAAAAAAA']) })).toThrow(/--next-cert: certificate in PEM block 2 .* cannot be parsed/);
    expect(resolveOptions({ level: 'dane', nextCert: pki.leaves.good.chainPem }).nextCert).toHaveLength(2);
  });

  it('tlsa --cert: same', () => {
    expect(() => readMaterial(pki.leaves.good.certPem + block(['AAAAAAAA']), 'chain.pem')).toThrow(/chain\.pem: certificate in PEM block 2/);
    expect(readMaterial(pki.leaves.good.chainPem, 'chain.pem').certs).toHaveLength(2);
  });
});
