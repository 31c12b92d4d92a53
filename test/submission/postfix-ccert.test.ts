// Client certificates against the private Postfix: smtpd_tls_ask_ccert = yes, and relay
// permitted by permit_tls_clientcerts (relay_clientcerts) or check_ccert_access, whose texthash
// maps are built from what `mxprobe fingerprint` prints. With the certificate the relay is
// permitted, without it refused; --compare-relay shows both RCPT replies; the fingerprints
// mxprobe prints are the ones Postfix logs for the client (smtpd_tls_loglevel = 2).
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { createClientCerts, type ClientCerts } from '../../fixtures/client-certs.js';
import { startPostfix, type PostfixInstance } from '../../fixtures/postfix/instance.js';
import { describePostfix } from '../postfix/guard.js';
import { fingerprintReport } from '../../src/fingerprint.js';
import { renderFingerprint } from '../../src/report/fingerprint.js';
import type { FingerprintReport, ProbeOptions, ProbeResult } from '../../src/types.js';
import { probeSubmission } from './helpers.js';

const SHORT = { connectTimeoutMs: 3000, timeoutMs: 5000, bannerTimeoutMs: 5000, tlsTimeoutMs: 3000, deadlineMs: 20_000 };
const RELAY_TO = 'bob@elsewhere.example';

/** smtpd asks for a client certificate; no permit_mynetworks, so 127.0.0.1 relays only by certificate. */
/** The lines of one commented section of the fingerprint output, up to the blank line after it. */
const section = (text: string, heading: string) => `${text.slice(text.indexOf(heading)).split('\n\n')[0]}\n`;

const ask = (relay: string, extra: Record<string, string> = {}) => ({ smtpd_tls_ask_ccert: 'yes', smtpd_relay_restrictions: relay, ...extra });

describePostfix('client certificates: Postfix relay_clientcerts and check_ccert_access', () => {
  let pki: Pki;
  let certs: ClientCerts;
  let pf: PostfixInstance;
  let report: FingerprintReport;
  let md5: FingerprintReport;

  beforeAll(async () => {
    pki = await createPki();
    certs = await createClientCerts(pki);
    report = fingerprintReport(readFileSync(certs.chainFile, 'utf8'));
    md5 = fingerprintReport(readFileSync(certs.chainFile, 'utf8'), 'md5');
    pf = await startPostfix({
      pki,
      scenarios: ['good'],
      configFiles: {
        // What an admin pastes: `mxprobe fingerprint --cert client.pem` (relay_clientcerts lines).
        relay_clientcerts: renderFingerprint(report, { table: 'relay_clientcerts' }),
        // Only the public-key line: Postfix looks up both digests (smtpd_check.c permit_tls_clientcerts).
        relay_pkey: `${report.relayClientcerts[1]}\n`,
        // The check_ccert_access section of `mxprobe fingerprint`, pasted with its comment lines.
        ccert_access: section(renderFingerprint(report), '# check_ccert_access'),
        relay_md5: renderFingerprint(md5, { table: 'relay_clientcerts' }),
      },
      extraServices: {
        ccert: {
          summary: 'relay for relay_clientcerts',
          leaf: 'good',
          overrides: ask('permit_tls_clientcerts,reject_unauth_destination', { relay_clientcerts: 'texthash:$config_directory/relay_clientcerts', smtpd_tls_loglevel: '2' }),
        },
        ccertPkey: { summary: 'relay for a public-key fingerprint', leaf: 'good', overrides: ask('permit_tls_clientcerts,reject_unauth_destination', { relay_clientcerts: 'texthash:$config_directory/relay_pkey' }) },
        ccertAccess: { summary: 'relay by check_ccert_access', leaf: 'good', overrides: ask('check_ccert_access,texthash:$config_directory/ccert_access,reject_unauth_destination') },
        ccertMd5: {
          summary: 'relay_clientcerts with md5 digests',
          leaf: 'good',
          overrides: ask('permit_tls_clientcerts,reject_unauth_destination', { relay_clientcerts: 'texthash:$config_directory/relay_md5', smtpd_tls_fingerprint_digest: 'md5' }),
        },
      },
    });
  });

  afterAll(async () => {
    await pf?.stop();
    certs?.cleanup();
    // createPki()'s exit hook never runs in a vitest worker: the keys go with this file.
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const relay = (service: string, extra: ProbeOptions = {}): Promise<ProbeResult> =>
    probeSubmission(pf.extraServices[service].destination, {
      servername: 'mx.test.example', ca: pki.root.pem, ehlo: 'client.test.example', ...SHORT, to: [RELAY_TO], ...extra,
    });
  const rcpt = (r: ProbeResult) => r.smtp.replies.find((x) => x.command.startsWith('RCPT'));

  it('relay permitted with the certificate, refused without it', async () => {
    const withCert = await relay('ccert', { clientCertFile: certs.combinedFile });
    expect(withCert.error).toBeNull();
    expect(rcpt(withCert)).toMatchObject({ code: 250 });
    expect(withCert.tls?.clientCertificate).toEqual({
      requested: null, sent: null, subject: 'O=mxprobe tests, CN=client.test.example', fingerprints: report.fingerprints,
    });
    expect(withCert.certificates[0].fingerprints).toEqual({ digest: 'sha256', certificate: pki.leaves.good.sha256, publicKey: pki.leaves.good.spkiSha256 });
    const without = await relay('ccert');
    expect(without.error).toMatchObject({ phase: 'rcpt', code: 'smtp-reply', reply: { code: 554, enhanced: '5.7.1' } });
    expect(without.tls?.clientCertificate).toBeUndefined();
  });

  it('the fingerprints mxprobe prints are the ones Postfix logs for the client', async () => {
    const r = await relay('ccert', { clientCertFile: certs.chainFile, clientKeyFile: certs.keyFile });
    expect(rcpt(r)).toMatchObject({ code: 250 });
    // "host[addr]: subject_CN=..., issuer=..., fingerprint=..., pkey_fingerprint=...": logged from
    // smtpd_tls_loglevel = 2 (at 1, Postfix >= 2.9 logs only the summary line; postconf(5)).
    const line = pf.log().split('\n').reverse().find((l) => l.includes('subject_CN=client.test.example'));
    expect(line).toBeTruthy();
    expect(line).toContain(`fingerprint=${report.fingerprints.certificate}`);
    expect(line).toContain(`pkey_fingerprint=${report.fingerprints.publicKey}`);
  });

  it('--compare-relay shows both RCPT replies', async () => {
    const r = await relay('ccert', { clientCertFile: certs.combinedFile, compareRelay: true });
    expect(r.error).toBeNull();
    expect(r.status).toBe('ok');
    expect(r.relay).toMatchObject({
      withCertificate: [{ command: `RCPT TO:<${RELAY_TO}>`, code: 250 }],
      withoutCertificate: [{ command: `RCPT TO:<${RELAY_TO}>`, code: 554, enhanced: '5.7.1' }],
      withoutCertificateError: null,
      permittedByCertificate: true,
    });
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'relay-comparison', severity: 'info', message: expect.stringMatching(/^the client certificate permits the relay: /) }));
  });

  it('a relay_clientcerts entry for the public key alone is enough', async () => {
    expect(rcpt(await relay('ccertPkey', { clientCertFile: certs.combinedFile }))).toMatchObject({ code: 250 });
    expect(rcpt(await relay('ccertPkey'))).toMatchObject({ code: 554 });
  });

  it('check_ccert_access with the OK lines', async () => {
    expect(rcpt(await relay('ccertAccess', { clientCertFile: certs.combinedFile }))).toMatchObject({ code: 250 });
    expect(rcpt(await relay('ccertAccess'))).toMatchObject({ code: 554 });
  });

  it('an encrypted key with its password file presents the same certificate', async () => {
    const r = await relay('ccert', { clientCertFile: certs.chainFile, clientKeyFile: certs.encryptedKeyFile, clientKeyPasswordFile: certs.keyPasswordFile });
    expect(rcpt(r)).toMatchObject({ code: 250 });
  });

  it('md5 fingerprints for smtpd_tls_fingerprint_digest = md5', async () => {
    const r = await relay('ccertMd5', { clientCertFile: certs.combinedFile, fingerprintDigest: 'md5' });
    expect(rcpt(r)).toMatchObject({ code: 250 });
    expect(r.tls?.clientCertificate?.fingerprints).toEqual(md5.fingerprints);
    // The server's chain carries the same digest, for a tls_policy match= on the other side.
    expect(r.certificates[0].fingerprints).toEqual(fingerprintReport(pki.leaves.good.certPem, 'md5').fingerprints);
  });
});
