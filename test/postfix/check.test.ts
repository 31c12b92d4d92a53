// checkPostfix against a real Postfix with the three listeners admins run (fixtures/postfix
// listeners.ts): smtp (may), submission (encrypt + auth_only) and smtps (wrapper mode), all
// taking TLS from main.cf. The story of an admin's change: everything agrees; the certificate
// and smtpd_tls_protocols change without a reload → "reload needed"; broken files are caught
// before the reload; after `postfix reload` everything agrees again.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { MX_NAME, startPostfix, type PostfixInstance } from '../../fixtures/postfix/instance.js';
import { checkPostfix, probe } from '../../src/index.js';
import type { PostfixCheckOptions, PostfixListener, PostfixReport } from '../../src/postfix/types.js';
import { describePostfix } from './guard.js';

const SHORT = { connectTimeoutMs: 3000, timeoutMs: 3000, tlsTimeoutMs: 3000 } as const;

describePostfix('mxprobe postfix against a real Postfix (smtp, submission, smtps)', () => {
  let pki: Pki;
  let pf: PostfixInstance;
  let opts: PostfixCheckOptions;
  beforeAll(async () => {
    pki = await createPki();
    pf = await startPostfix({ pki, listeners: ['smtp', 'submission', 'smtps'] });
    opts = { configDir: pf.configDir, caFile: pf.caFile, ehlo: 'client.test.example', ...SHORT };
  });
  afterAll(async () => {
    await pf?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const byLabel = (r: PostfixReport, name: string): PostfixListener => {
    const l = r.listeners.find((x) => x.label === `postfix/${name}`);
    if (!l) throw new Error(`no listener postfix/${name} in ${r.listeners.map((x) => x.label).join(', ')}`);
    return l;
  };
  const differing = (r: PostfixReport) => r.listeners.flatMap((l) => l.rows.filter((row) => row.verdict === 'differs').map((row) => `${l.label} ${row.check}`));
  const codes = (l: PostfixListener) => l.findings.filter((f) => f.severity !== 'info').map((f) => f.code);

  it('finds the three listeners in master.cf, and after start every one serves what is configured', async () => {
    const r = await checkPostfix(opts);
    expect(r.source).toBe('postconf');
    expect(r.postfixVersion).toBe(pf.version);
    expect(r.listeners.map((l) => [l.label, l.address, l.port, l.mode, l.settings.level, l.settings.authOnly])).toEqual([
      ['postfix/smtp', '127.0.0.1', pf.listeners.smtp.port, 'starttls', 'may', false],
      ['postfix/submission', '127.0.0.1', pf.listeners.submission.port, 'starttls', 'encrypt', true],
      ['postfix/smtps', '127.0.0.1', pf.listeners.smtps.port, 'implicit', 'encrypt', true],
    ]);
    // $config_directory in main.cf's smtpd_tls_chain_files, expanded by postconf.
    expect(byLabel(r, 'smtp').settings.certificates.files).toEqual([pf.chainFiles.rsa, pf.chainFiles.ecdsa]);
    expect(differing(r)).toEqual([]);
    expect(r.status).toBe('ok');
    for (const l of r.listeners) {
      expect(l.status, `${l.label}: ${JSON.stringify(l.findings)}`).toBe('ok');
      expect(l.files?.chains.map((c) => c.certificates[0].sha256)).toEqual([pki.leaves.good.sha256, pki.leaves.ecdsa.sha256]);
      expect(l.served?.leaves.rsa?.sha256).toBe(pki.leaves.good.sha256);
      expect(l.served?.leaves.ecdsa?.sha256).toBe(pki.leaves.ecdsa.sha256);
    }
    const submission = byLabel(r, 'submission');
    expect(submission.served?.plaintextMail?.code).toBe(530);
    expect(submission.rows.find((x) => x.check === 'AUTH before TLS')).toMatchObject({ configured: 'not offered', served: 'not offered', verdict: 'ok' });
    expect(submission.rows.find((x) => x.check === 'AUTH after TLS')).toMatchObject({ configured: 'offered', served: 'offered', verdict: 'ok' });
    expect(byLabel(r, 'smtp').served?.plaintextMail?.code).toBe(250);
    expect(byLabel(r, 'smtps').rows[0]).toMatchObject({ check: 'wrapper mode', served: 'TLS first', verdict: 'ok' });
  });

  it('checks the certificate against myhostname (postconf -h myhostname), not the loopback address probed', async () => {
    const r = await checkPostfix({ ...opts, hosts: ['other.example.net'] });
    expect(r.myhostname).toBe(MX_NAME);
    expect(r.names).toEqual([MX_NAME, 'other.example.net']);
    const smtp = byLabel(r, 'smtp');
    expect(smtp.served?.probe.verification).toMatchObject({ hostnameMatch: true, checkedNames: [MX_NAME] });
    expect(smtp.files?.chains[0].names).toEqual([{ name: MX_NAME, match: true }, { name: 'other.example.net', match: false }]);
    expect(codes(smtp)).toContain('certificate-host-mismatch');
  });

  it('catches a key that does not match and a chain missing its intermediate offline, before any reload', async () => {
    writeFileSync(pf.chainFiles.rsa, pki.leaves.selfSigned.keyPem + pki.leaves.good.chainPem);
    writeFileSync(pf.chainFiles.ecdsa, pki.leaves.ecdsa.keyPem + pki.leaves.ecdsa.certPem);
    try {
      const r = await checkPostfix({ ...opts, offline: true });
      expect(r.offline).toBe(true);
      expect(r.listeners.every((l) => l.served === null)).toBe(true);
      const smtp = byLabel(r, 'smtp');
      expect(smtp.files?.loadable).toBe(false);
      expect(smtp.findings.find((f) => f.code === 'certificate-load-error')).toMatchObject({
        severity: 'critical', parameter: 'smtpd_tls_chain_files',
        message: `error loading certificate chain: key at index 1 in ${pf.chainFiles.rsa} does not match the certificate`,
      });
      expect(r.status).toBe('critical');
      // The ECDSA file alone: loads, but clients cannot build the chain.
      writeFileSync(pf.chainFiles.rsa, pki.leaves.good.keyPem + pki.leaves.good.chainPem);
      const r2 = await checkPostfix({ ...opts, offline: true });
      expect(codes(byLabel(r2, 'smtps'))).toEqual(['chain-not-trusted']);
      expect(byLabel(r2, 'smtps').findings[0].message).toMatch(/ECDSA certificate "mx\.test\.example" .*incomplete/);
      // Nothing was reloaded: the server still serves the good chains.
      const live = await probe(pf.listeners.smtp.destination, { servername: MX_NAME, ca: pki.root.pem, ehlo: 'client.test.example', ...SHORT });
      expect(live.status).toBe('ok');
    } finally {
      writeFileSync(pf.chainFiles.rsa, pki.leaves.good.keyPem + pki.leaves.good.chainPem);
      writeFileSync(pf.chainFiles.ecdsa, pki.leaves.ecdsa.keyPem + pki.leaves.ecdsa.chainPem);
    }
  });

  it('a new certificate, smtpd_tls_protocols and ask_ccert without a reload: "reload needed"', async () => {
    // An smtpd is idle on each listener (the checks above): it keeps what it read at its start.
    writeFileSync(pf.chainFiles.rsa, pki.leaves.direct.keyPem + pki.leaves.direct.chainPem);
    await pf.postconf({ smtpd_tls_protocols: '>=TLSv1.2', smtpd_tls_ask_ccert: 'yes' });
    const r = await checkPostfix(opts);
    const smtp = byLabel(r, 'smtp');
    const cert = smtp.findings.find((f) => f.code === 'served-certificate-differs');
    expect(cert).toMatchObject({
      severity: 'warning', parameter: 'smtpd_tls_chain_files', configured: pki.leaves.direct.sha256, served: pki.leaves.good.sha256,
    });
    expect(cert?.message).toMatch(/^the server still serves the previous RSA certificate .* — reload needed/);
    expect(smtp.findings.filter((f) => f.code === 'protocol-below-floor').map((f) => [f.parameter, f.configured, f.served])).toEqual([
      ['smtpd_tls_protocols', '>=TLSv1.2', 'TLSv1 accepted'], ['smtpd_tls_protocols', '>=TLSv1.2', 'TLSv1.1 accepted'],
    ]);
    expect(smtp.findings.find((f) => f.code === 'client-cert-request-differs')).toMatchObject({ configured: 'yes', served: 'not requested' });
    // submission and smtps use smtpd_tls_mandatory_protocols: their protocols agree. ask_ccert
    // also excludes aNULL (smtpd.c), which the old smtpd still accepts: the cipher grade differs.
    expect(differing(r).filter((d) => !d.startsWith('postfix/smtp '))).toEqual([
      'postfix/submission certificate (RSA)', 'postfix/submission cipher grade', 'postfix/submission client certificate',
      'postfix/smtps certificate (RSA)', 'postfix/smtps cipher grade', 'postfix/smtps client certificate',
    ]);
    expect(byLabel(r, 'smtps').findings.find((f) => f.code === 'cipher-outside-grade')?.served).toMatch(/^ADH-/);
    expect(r.status).toBe('warning');
    // The configured certificate is valid; the served one expires within --crit-days: CRITICAL.
    const urgent = await checkPostfix({ ...opts, critDays: 100, warnDays: 100 });
    expect(byLabel(urgent, 'smtp').findings.find((f) => f.code === 'served-certificate-differs')?.severity).toBe('critical');
  });

  it('after postfix reload every listener agrees again', async () => {
    await pf.reload();
    const r = await checkPostfix(opts);
    expect(differing(r)).toEqual([]);
    expect(r.status).toBe('ok');
    const smtp = byLabel(r, 'smtp');
    expect(smtp.served?.leaves.rsa?.sha256).toBe(pki.leaves.direct.sha256);
    expect(Object.entries(smtp.served?.protocols ?? {}).filter(([, a]) => a).map(([p]) => p)).toEqual(['TLSv1.2', 'TLSv1.3']);
    expect(smtp.rows.find((x) => x.check === 'client certificate')).toMatchObject({ configured: 'requested', served: 'requested', verdict: 'ok' });
  });
});
