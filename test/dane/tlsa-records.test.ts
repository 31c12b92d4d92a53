// `mxprobe tlsa`: records for certificates and keys, checked against the fixture's
// independent computation and against `openssl pkey | openssl dgst` for a key.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { tlsa, tlsaText } from '../../fixtures/dane/records.js';
import { readMaterial, tlsaLines, tlsaOwner } from '../../src/dane/tlsa-records.js';
import { renderTlsa } from '../../src/report/tlsa.js';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});
const text = (l: { usage: number; selector: number; matchingType: number; data: string }) => `${l.usage} ${l.selector} ${l.matchingType} ${l.data}`;

describe('tlsa --cert', () => {
  it('default: 3 1 1 for the leaf and 2 1 1 for the issuer in the file', () => {
    const lines = tlsaLines(readMaterial(pki.leaves.good.chainPem, 'chain.pem'), {});
    expect(lines.map(text)).toEqual([tlsaText(tlsa(pki.leaves.good.certPem, 3, 1, 1)), tlsaText(tlsa(pki.intermediate.certPem, 2, 1, 1))]);
  });
  it.each([[3, 0, 1], [3, 1, 2], [3, 0, 0], [2, 0, 1]] as const)('--usage %i --selector %i --matching %i', (u, s, m) => {
    const [line] = tlsaLines(readMaterial(pki.leaves.good.chainPem, 'chain.pem'), { usage: u, selector: s, matching: m });
    const source = u === 2 ? pki.intermediate.certPem : pki.leaves.good.certPem;
    expect(text(line)).toBe(tlsaText(tlsa(source, u, s, m)));
  });
  it('a private key gives the SPKI digest openssl computes', () => {
    const [line] = tlsaLines(readMaterial(pki.leaves.ecdsa.keyPem, 'k.pem'), {});
    const der = execFileSync('openssl', ['pkey', '-pubout', '-outform', 'DER'], { input: readFileSync(pki.leaves.ecdsa.keyPath) });
    const digest = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der }).toString().split(' ')[0];
    expect(text(line)).toBe(`3 1 1 ${digest}`);
  });
  it('a key with --selector 0 is a usage error; so is a file with neither', () => {
    expect(() => tlsaLines(readMaterial(pki.leaves.ecdsa.keyPem, 'k.pem'), { selector: 0 })).toThrow(/--selector 1/);
    expect(() => readMaterial('hello', 'x.txt')).toThrow(/neither a PEM certificate nor a PEM key/);
  });
  it('zone-file lines with --name', () => {
    const lines = tlsaLines(readMaterial(pki.leaves.good.certPem, 'c.pem'), {});
    expect(renderTlsa(lines, { name: tlsaOwner('mx.example.com', undefined) })).toMatch(/^_25\._tcp\.mx\.example\.com\. IN TLSA 3 1 1 [0-9a-f]{64} ; DANE-EE CN=mx\.test\.example \(leaf\)\n$/);
    expect(tlsaOwner('mx.example.com.', 465)).toBe('_465._tcp.mx.example.com');
    expect(tlsaOwner('_25._tcp.mx.example.com', 587)).toBe('_25._tcp.mx.example.com');
  });
});
