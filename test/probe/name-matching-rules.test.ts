// Postfix name matching (tls_client.c match_servername) for wildcards against ".domain" match
// names, and IP subjectAltNames against IPv6 destinations.
import { execFileSync } from 'node:child_process';
import { tempDir } from '../../fixtures/temp.js';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../fixtures/pki.js';
import { certificateFacts } from '../../src/tls/certificate.js';
import { commonNameOf, matchHostname, nameMatches } from '../../src/verify.js';
import { finding, options, probePort, useFixtures } from '../probe/helpers.js';

const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});

describe('a wildcard certificate satisfies a dot-nexthop / ".domain" match (level secure)', () => {
  // Postfix match_servername(), sub-domain branch: the certid is compared literally,
  //   idlen > domlen + 1 && certid[idlen - domlen - 1] == '.' && !strcasecmp(certid + idlen - domlen, domain)
  // so "*.example.com" (13 chars) matches ".example.com" (domain "example.com", 11 chars).
  // verify.ts requires name.length - 1 > suffix.length for wildcards, i.e. 12 > 12: false.
  it.each([
    ['*.example.com', '.example.com', true],
    ['*.EXAMPLE.com', '.example.com', true],
    ['*.mx.example.com', '.example.com', true],
    ['mx.example.com', '.example.com', true],
    ['example.com', '.example.com', false],
  ])('nameMatches(%s, %s) === %s (Postfix)', (cert, ref, expected) => {
    expect(nameMatches(cert, ref)).toBe(expected);
  });

  it('end to end: --level secure --match .test.example against a *.test.example certificate is OK for Postfix', async () => {
    const l = pki.leaves.wildcard;
    const f = await fx.smtp({ leaf: l });
    const r = await probePort(f.port, options(pki, { level: 'secure', match: ['.test.example'] }));
    expect(r.verification?.trusted).toBe(true);
    expect(r.verification?.hostnameMatch).toBe(true);
    expect(finding(r, 'certificate-host-mismatch')).toBeUndefined();
    expect(r.status).toBe('ok');
  });
});

describe('IPv6 subjectAltNames match an IPv6 destination', () => {
  // Node prints IPv6 SANs uncompressed and uppercase ("IP Address:2001:DB8:0:0:0:0:0:1");
  // normalizeIp() only lowercases, so "[2001:db8::1]:25" is always a name mismatch (CRITICAL at verify).
  let cert: X509Certificate;
  beforeAll(() => {
    const dir = tempDir('mxprobe-review-');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=v6 test', '-days', '2',
      '-addext', 'subjectAltName=IP:2001:db8::1,IP:::1'], { stdio: 'ignore' });
    cert = new X509Certificate(readFileSync(join(dir, 'c.pem')));
  });

  it.each(['2001:db8::1', '::1', '2001:DB8:0:0:0:0:0:1'])('IP SAN matches reference %s', (ref) => {
    const facts = certificateFacts(cert, Date.now(), false);
    expect(matchHostname(facts, commonNameOf(cert), [ref])).toEqual({ match: true, matchedName: ref });
  });
});
