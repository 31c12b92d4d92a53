// Name matching as Postfix 3.x does it through OpenSSL's host check (X509_check_host with
// X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, postfix/src/tls/tls_client.c add_namechecks): one line
// per case, then one real handshake with a certificate of several subject CNs and no SAN,
// checked against posttls-finger where it is installed.
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPosttlsFinger, runPosttlsFinger } from '../../fixtures/policy/posttls-finger.js';
import type { Pki } from '../../fixtures/pki.js';
import type { SmtpFixture } from '../../fixtures/smtp-fixture.js';
import { subjectCommonNamesOf } from '../../src/tls/der.js';
import { aLabelName, commonNamesOf, matchHostname, nameMatches } from '../../src/verify.js';
import type { CertificateFacts } from '../../src/types.js';
import { leafCert } from '../report/sample.js';
import { finding, options, probePort, TEST_HOST, useFixtures } from '../probe/helpers.js';

describe('nameMatches(certificate name, reference)', () => {
  it.each([
    // *.example.com matches exactly one label (unchanged)
    ['*.example.com', 'mx.example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['*.EXAMPLE.com', 'MX.example.COM', true],
    // a wildcard needs at least two labels after it: "*.local" is a literal name
    ['*.local', 'test.local', false],
    ['*.local', '*.local', true],
    ['*.test.local', 'x.test.local', true],
    ['*.test.local', 'test.local', false],
    // no partial-label wildcards (RFC 6125 §6.4.3, NO_PARTIAL_WILDCARDS), no wildcard after the first label
    ['f*.example.com', 'foo.example.com', false],
    ['*o.example.com', 'foo.example.com', false],
    ['mx.*.example.com', 'mx.a.example.com', false],
    // the label a wildcard matches: letters, digits, hyphens; an A-label is fine
    ['*.example.com', 'xn--mnchen-3ya.example.com', true],
    ['*.xn--mnchen-3ya.test', 'mx.xn--mnchen-3ya.test', true],
    ['*.example.com', 'a_b.example.com', false],
    ['*.ex_ample.com', 'a.ex_ample.com', false],
    // exact names, case and a trailing dot
    ['mx.example.com', 'MX.EXAMPLE.COM.', true],
    ['mx.example.com.', 'mx.example.com', true],
    ['mx.example.com', 'mx.example.co', false],
    // sub-domain references (dot-nexthop, ".example.com" in --match): the name taken literally
    ['*.example.com', '.example.com', true],
    ['mx.example.com', '.example.com', true],
    ['example.com', '.example.com', false],
    ['mxexample.com', '.example.com', false],
  ])('%s vs %s → %s', (cert, ref, expected) => {
    expect(nameMatches(cert, ref)).toBe(expected);
  });
});

describe('aLabelName: U-labels to A-labels (Postfix midna_domain_to_ascii)', () => {
  it.each([
    ['münchen.test.local', 'xn--mnchen-3ya.test.local'],
    ['MÜNCHEN.test.local', 'xn--mnchen-3ya.test.local'],
    ['.münchen.test', '.xn--mnchen-3ya.test'],
    ['\u3002münchen.test', '.xn--mnchen-3ya.test'],
    ['mx.example.com', 'mx.example.com'],
    ['Mx.Example.com', 'Mx.Example.com'], // ASCII is left alone (matching folds case)
  ])('%s → %s', (name, ascii) => {
    expect(aLabelName(name)).toBe(ascii);
  });
});

describe('matchHostname', () => {
  const san = (dns: string[]): CertificateFacts => leafCert({ san: { dns, ip: [] } });
  it.each<[string, CertificateFacts, string[], string, string | null]>([
    ['--servername in U-labels vs an A-label SAN', san(['xn--mnchen-3ya.test.local']), [], 'münchen.test.local', 'xn--mnchen-3ya.test.local'],
    ['a match= sub-domain in U-labels', san(['mx.xn--mnchen-3ya.test']), [], '.münchen.test', 'mx.xn--mnchen-3ya.test'],
    ['a U-label SAN never matches (DNS SANs are ASCII)', san(['münchen.test.local']), [], 'münchen.test.local', null],
    ['no DNS SAN: any CN, not only the last', san([]), ['first.example', 'mx.test.example', 'last.example'], 'mx.test.example', 'mx.test.example'],
    ['no DNS SAN: the first CN', san([]), ['first.example', 'last.example'], 'first.example', 'first.example'],
    ['a DNS SAN present: the CNs are not read', san(['other.example']), ['mx.test.example'], 'mx.test.example', null],
    ['*.local SAN does not name test.local', san(['*.local']), [], 'test.local', null],
  ])('%s', (_name, cert, cns, ref, matched) => {
    expect(matchHostname(cert, cns, [ref])).toEqual({ match: matched !== null, matchedName: matched });
  });
});

const fx = useFixtures();
let pki: Pki;
let multi: SmtpFixture;
beforeAll(async () => {
  pki = await fx.pki();
  multi = await fx.smtp({ leaf: pki.leaves.multiCn });
});

describe('a certificate with three subject CNs and no subjectAltName, through a real handshake', () => {
  it('every CN is read from the DER, in order', () => {
    const x = new X509Certificate(pki.leaves.multiCn.certPem);
    expect(x.subjectAltName).toBeUndefined();
    expect(subjectCommonNamesOf(x.raw)).toEqual([TEST_HOST, 'xn--mnchen-3ya.test.example', 'other.example.net']);
    expect(commonNamesOf(x)).toEqual(subjectCommonNamesOf(x.raw));
  });

  it.each<[string, Record<string, unknown>, string | null]>([
    ['verify, the host name = the first CN', {}, TEST_HOST],
    ['verify, --servername münchen.test.example = the second CN, SNI sent as A-label', { servername: 'münchen.test.example' }, 'xn--mnchen-3ya.test.example'],
    ['verify, --servername other.example.net = the last CN', { servername: 'other.example.net' }, 'other.example.net'],
    ['secure, --match münchen.test.example (as a tls_policy match= gives it)', { level: 'secure', match: ['münchen.test.example'] }, 'xn--mnchen-3ya.test.example'],
    ['secure, --match .test.example (sub-domain)', { level: 'secure', match: ['.test.example'] }, TEST_HOST],
    ['verify, a name none of the CNs carries', { servername: 'nope.example' }, null],
  ])('%s', async (_name, extra, matched) => {
    const r = await probePort(multi.port, options(pki, extra));
    expect(r.verification?.trusted).toBe(true);
    expect(r.verification?.hostnameMatch).toBe(matched !== null);
    expect(r.verification?.matchedName).toBe(matched);
    if (extra.servername) expect(r.tls?.servername).toBe(aLabelName(extra.servername as string));
    expect(r.status).toBe(matched ? 'ok' : 'critical');
    if (!matched) expect(finding(r, 'certificate-host-mismatch')).toBeDefined();
  });
});

const PTF = findPosttlsFinger();
const PTF_REQUIRED = process.env.CI === 'true';
if (!PTF && !PTF_REQUIRED) console.warn('\n*** SKIPPING the posttls-finger name cross-check: posttls-finger not found ***\n');

describe.skipIf(!PTF && !PTF_REQUIRED)('the same name verdicts as posttls-finger (level secure)', () => {
  it.each([[TEST_HOST, true], ['münchen.test.example', true], ['other.example.net', true], ['nope.example', false]] as const)('match %s → %s', async (name, verified) => {
    if (!PTF) throw new Error('posttls-finger is required when CI=true (apt-get install postfix)');
    const [ptf, r] = await Promise.all([
      runPosttlsFinger(PTF, { level: 'secure', port: multi.port, caFile: pki.root.path, match: [name] }),
      probePort(multi.port, options(pki, { level: 'secure', match: [name] })),
    ]);
    expect(ptf.connection === 'Verified', ptf.output).toBe(verified);
    expect(r.verification?.hostnameMatch).toBe(verified);
  });
});
