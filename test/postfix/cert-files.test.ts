// The certificate files of a listener checked before any reload, with the test PKI: what
// Postfix's loader (tls_certkey.c) would refuse, in its words, and what would load but fail
// clients (incomplete or misordered chain, wrong name, expiry).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { checkCertificateFiles, trustAnchors } from '../../src/postfix/cert-check.js';
import { expand } from '../../src/postfix/config-files.js';
import { defaultsFor } from '../../src/postfix/defaults.js';
import { smtpdTlsSettings } from '../../src/postfix/settings.js';

let pki: Pki;
let dir: string;
beforeAll(async () => {
  pki = await createPki();
  dir = mkdtempSync(join(tmpdir(), 'mxprobe-certfiles-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(pki.dir, { recursive: true, force: true });
});

function file(name: string, ...parts: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, parts.join(''));
  return path;
}

function check(params: Record<string, string>, o: { level?: 'verify' | 'may'; critDays?: number; warnDays?: number; names?: string[] } = {}) {
  const raw: Record<string, string> = { ...defaultsFor('3.7'), smtpd_tls_security_level: 'may', ...params };
  // As postconf -x would hand them over: expanded ($smtpd_tls_cert_file in key_file's default).
  const p = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, expand(v, (n) => raw[n])]));
  const { settings } = smtpdTlsSettings(p);
  return checkCertificateFiles(settings, p, {
    names: o.names ?? ['mx.test.example'], anchors: trustAnchors(pki.root.pem), level: o.level ?? 'verify', warnDays: o.warnDays ?? 21, critDays: o.critDays ?? 7,
  });
}
const codes = (r: ReturnType<typeof check>) => r.findings.map((f) => `${f.severity} ${f.code}`);

describe('smtpd_tls_chain_files', () => {
  test('RSA and ECDSA chains: loadable, keys match, in order, trusted, name matches', () => {
    const rsa = file('rsa.pem', pki.leaves.good.keyPem, pki.leaves.good.chainPem);
    const ec = file('ec.pem', pki.leaves.ecdsa.keyPem, pki.leaves.ecdsa.chainPem);
    const r = check({ smtpd_tls_chain_files: `${rsa}, ${ec}` });
    expect(codes(r)).toEqual([]);
    expect(r.check.loadable).toBe(true);
    expect(r.check.chains.map((c) => [c.algorithm, c.keyMatches, c.inOrder, c.trusted, c.names[0].match, c.certificates.length])).toEqual([
      ['rsa', true, true, true, true, 2], ['ecdsa', true, true, true, true, 2],
    ]);
    expect(r.check.chains[0].certificates[0].sha256).toBe(pki.leaves.good.sha256);
  });

  test('a key may sit in the file before the one holding its chain (one PEM stream)', () => {
    const key = file('k.pem', pki.leaves.good.keyPem);
    const chain = file('c.pem', pki.leaves.good.chainPem);
    expect(check({ smtpd_tls_chain_files: `${key} ${chain}` }).check.loadable).toBe(true);
  });

  test('certificate before its key: Postfix "key not first" — TLS off after reload', () => {
    const f = file('swapped.pem', pki.leaves.good.chainPem, pki.leaves.good.keyPem);
    const r = check({ smtpd_tls_chain_files: f });
    expect(r.check.loadable).toBe(false);
    expect(r.findings[0]).toMatchObject({ severity: 'critical', code: 'certificate-load-error', parameter: 'smtpd_tls_chain_files', message: `error loading chain from ${f}: key not first` });
    expect(r.findings[0].cause).toMatch(/disabling TLS support/);
  });

  test('a key that does not match its certificate', () => {
    const f = file('mismatch.pem', pki.leaves.selfSigned.keyPem, pki.leaves.good.chainPem);
    const r = check({ smtpd_tls_chain_files: f });
    expect(codes(r)).toEqual(['critical certificate-load-error']);
    expect(r.findings[0].message).toBe(`error loading certificate chain: key at index 1 in ${f} does not match the certificate`);
  });

  test('missing intermediate: loads, but the chain is incomplete (critical at verify, warning at may)', () => {
    const f = file('leafonly.pem', pki.leaves.good.keyPem, pki.leaves.good.certPem);
    const r = check({ smtpd_tls_chain_files: f });
    expect(r.check.loadable).toBe(true);
    expect(codes(r)).toEqual(['critical chain-not-trusted']);
    expect(r.findings[0].message).toMatch(/incomplete: the issuer of .*mx\.test\.example \(.*Intermediate CA\) is neither in the file nor a trusted root/);
    expect(codes(check({ smtpd_tls_chain_files: f }, { level: 'may' }))).toEqual(['warning chain-not-trusted']);
  });

  test('chain out of order', () => {
    const f = file('order.pem', pki.leaves.good.keyPem, pki.leaves.good.certPem, pki.root.pem, pki.intermediate.certPem);
    const r = check({ smtpd_tls_chain_files: f });
    expect(codes(r)).toEqual(['warning chain-out-of-order']);
    expect(r.check.chains[0].inOrder).toBe(false);
  });

  test('a key with no certificate, an empty file, a missing file, a corrupt certificate', () => {
    expect(check({ smtpd_tls_chain_files: file('keyonly.pem', pki.leaves.good.keyPem) }).findings[0].message).toMatch(/^No certs for key at index 1 in /);
    expect(check({ smtpd_tls_chain_files: file('empty.pem', '') }).findings[0].message).toMatch(/^No PEM data in /);
    expect(check({ smtpd_tls_chain_files: join(dir, 'nope.pem') }).findings[0].message).toBe(`cannot open ${join(dir, 'nope.pem')}: No such file or directory`);
    const corrupt = pki.leaves.good.certPem.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!');
    const f = file('corrupt.pem', pki.leaves.good.keyPem, corrupt);
    expect(check({ smtpd_tls_chain_files: f }).findings[0].message).toBe(`error loading certificate (PEM object number 2) from ${f}`);
  });

  test('two RSA keys: at most one key per algorithm', () => {
    const a = file('a.pem', pki.leaves.good.keyPem, pki.leaves.good.chainPem);
    const b = file('b.pem', pki.leaves.selfSigned.keyPem, pki.leaves.selfSigned.certPem);
    expect(codes(check({ smtpd_tls_chain_files: `${a} ${b}` }))).toContain('critical duplicate-key-algorithm');
  });

  test('names, expiry and the ECDSA-only note', () => {
    const wrong = file('wrong.pem', pki.leaves.wrongName.keyPem, pki.leaves.wrongName.chainPem);
    expect(codes(check({ smtpd_tls_chain_files: wrong }, { names: ['mx.test.example', 'mail.test.example'] }))).toEqual(['critical certificate-host-mismatch']);
    const expired = file('expired.pem', pki.leaves.expired.keyPem, pki.leaves.expired.chainPem);
    expect(codes(check({ smtpd_tls_chain_files: expired }))).toEqual(['critical certificate-expired']);
    const soon = file('soon.pem', pki.leaves.expiresSoon.keyPem, pki.leaves.expiresSoon.chainPem);
    expect(codes(check({ smtpd_tls_chain_files: soon }))).toEqual(['critical cert-expires-soon']);
    expect(codes(check({ smtpd_tls_chain_files: soon }, { critDays: 2, warnDays: 10 }))).toEqual(['warning cert-expires-soon']);
    const ec = file('ec-only.pem', pki.leaves.ecdsa.keyPem, pki.leaves.ecdsa.chainPem);
    expect(codes(check({ smtpd_tls_chain_files: ec }))).toEqual(['info no-rsa-certificate']);
  });
});

describe('legacy smtpd_tls_cert_file / key_file / eccert_file', () => {
  test('separate key file that does not match: Postfix set_cert_stuff() wording', () => {
    const cert = file('l-cert.pem', pki.leaves.good.chainPem);
    const key = file('l-key.pem', pki.leaves.selfSigned.keyPem);
    const r = check({ smtpd_tls_cert_file: cert, smtpd_tls_key_file: key });
    expect(r.findings[0]).toMatchObject({ code: 'certificate-load-error', message: `RSA private key in ${key} does not match public key in ${cert}: disabling TLS support` });
  });
  test('one mixed file (key anywhere) loads; an ECDSA slot holding an RSA key is flagged', () => {
    const mixed = file('mixed.pem', pki.leaves.good.chainPem, pki.leaves.good.keyPem);
    const ecSlot = file('ec-slot.pem', pki.leaves.good.keyPem, pki.leaves.good.chainPem);
    expect(check({ smtpd_tls_cert_file: mixed }).check.loadable).toBe(true);
    const r = check({ smtpd_tls_cert_file: mixed, smtpd_tls_eccert_file: ecSlot });
    expect(r.findings.map((f) => f.message)).toContain('smtpd_tls_eccert_file holds an RSA key, not an ECDSA one');
  });
});
