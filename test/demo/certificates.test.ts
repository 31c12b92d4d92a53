// The demo's certificates, made with node:crypto and our DER encoder, read back by OpenSSL's own
// parser (`openssl x509 -text`) and verified by `openssl verify -x509_strict`, which checks the
// extensions RFC 5280 asks of a CA and a leaf.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDemoPki, type DemoPki } from '../../src/demo/certificates.js';
import { tempDir } from '../../fixtures/temp.js';

const run = promisify(execFile);

async function openssl(args: string[], input?: string): Promise<string> {
  const child = run('openssl', args, { timeout: 10_000 });
  if (input !== undefined) child.child.stdin!.end(input);
  return (await child).stdout;
}

let pki: DemoPki;
let dir: string;
beforeAll(() => {
  pki = createDemoPki({ name: 'mx.demo.test', days: 30, now: new Date('2030-06-01T12:00:00Z') });
  dir = tempDir('mxprobe-demo-');
  writeFileSync(join(dir, 'root.pem'), pki.root.pem);
  writeFileSync(join(dir, 'leaf.pem'), pki.leaf.pem);
});

describe('openssl x509 reads what we encoded', () => {
  it('the root: v3, ECDSA P-256 / SHA-256, a CA that signs certificates, self-issued', async () => {
    const text = await openssl(['x509', '-text', '-noout'], pki.root.pem);
    expect(text).toMatch(/Version: 3 \(0x2\)/);
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(text).toMatch(/Issuer: O = mxprobe demo, CN = mxprobe demo root CA/);
    expect(text).toMatch(/Subject: O = mxprobe demo, CN = mxprobe demo root CA/);
    expect(text).toMatch(/NIST CURVE: P-256/);
    expect(text).toMatch(/Not Before: Jun  1 11:55:00 2030 GMT/);
    expect(text).toMatch(/Not After : Jul  1 12:00:00 2030 GMT/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toMatch(/Subject Key Identifier:/);
  });

  it('the leaf: the name as SAN and CN, serverAuth, not a CA, the root\'s key identifier', async () => {
    const text = await openssl(['x509', '-text', '-noout'], pki.leaf.pem);
    expect(text).toMatch(/Subject: O = mxprobe demo, CN = mx.demo.test/);
    expect(text).toMatch(/Issuer: O = mxprobe demo, CN = mxprobe demo root CA/);
    expect(text).toMatch(/Subject Alternative Name:\s+DNS:mx.demo.test\n/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    const rootSki = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(await openssl(['x509', '-text', '-noout'], pki.root.pem))![1];
    expect(text).toContain(`Authority Key Identifier: \n                ${rootSki}`);
    // The serial is positive (RFC 5280 §4.1.2.2): OpenSSL would print "(Negative)".
    expect(text).not.toMatch(/Negative/);
  });

  it('openssl verify -x509_strict accepts the leaf under the root at a time inside the validity', async () => {
    const out = await openssl(['verify', '-x509_strict', '-attime', String(Date.parse('2030-06-10T00:00:00Z') / 1000), '-CAfile', join(dir, 'root.pem'), join(dir, 'leaf.pem')]);
    expect(out.trim()).toBe(`${join(dir, 'leaf.pem')}: OK`);
  });

  it('and refuses it after notAfter', async () => {
    const failed = openssl(['verify', '-attime', String(Date.parse('2030-07-02T00:00:00Z') / 1000), '-CAfile', join(dir, 'root.pem'), join(dir, 'leaf.pem')]);
    const err = await failed.then(() => null, (e: { stdout: string; stderr: string }) => e);
    expect(err, 'openssl verify exits non-zero').not.toBeNull();
    expect(`${err!.stdout}${err!.stderr}`).toMatch(/certificate has expired/);
  });
});

describe('node:crypto agrees', () => {
  it('the leaf was issued and signed by the root; the keys are P-256; each run makes new ones', () => {
    const leaf = new X509Certificate(pki.leaf.pem);
    const root = new X509Certificate(pki.root.pem);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.checkHost('mx.demo.test')).toBe('mx.demo.test');
    expect(leaf.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(root.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    const again = createDemoPki();
    expect(again.leaf.x509.fingerprint256).not.toBe(leaf.fingerprint256);
    expect(again.leaf.x509.serialNumber).not.toBe(leaf.serialNumber);
  });
});
