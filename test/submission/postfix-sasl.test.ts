// Submission end to end against a real SASL backend: the private Postfix with
// smtpd_sasl_type = dovecot, talking to a private Dovecot auth service (fixtures/dovecot) over
// a unix socket inside the Postfix queue. What a mail client does — STARTTLS (587) or implicit
// TLS (465), AUTH, MAIL, RCPT, DATA — must end with the message queued, and Postfix must have
// seen the login (smtpd_sasl_authenticated_header, its log); a wrong password must end at 535.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { startPostfix, type PostfixInstance } from '../../fixtures/postfix/instance.js';
import { dovecotMissing, startDovecotAuth, type DovecotAuth } from '../../fixtures/dovecot/auth.js';
import { describePostfix } from '../postfix/guard.js';
import type { ProbeOptions, ProbeResult, SaslMechanism } from '../../src/types.js';
import { probeSubmission, secretForms } from './helpers.js';
import { toJson, toNdjsonLine } from '../../src/report/json.js';
import { renderTranscript } from '../../src/report/transcript.js';
import { probeTable } from '../../src/report/table.js';
import { renderQuiet } from '../../src/report/quiet.js';
import { renderNagios } from '../../src/report/nagios.js';
import { summaryTable } from '../../src/report/summary.js';
import { submissionSections } from '../../src/report/submission.js';

const USER = 'alice@test.example';
const PASSWORD = 'Sübmission-pässword 42!';
const env = { MXPROBE_AUTH_PASSWORD: PASSWORD };
const SHORT = { connectTimeoutMs: 3000, timeoutMs: 5000, bannerTimeoutMs: 5000, tlsTimeoutMs: 3000, deadlineMs: 20_000 };

const SASL = {
  smtpd_sasl_auth_enable: 'yes',
  smtpd_sasl_type: 'dovecot',
  smtpd_sasl_path: 'private/dovecot-auth',
  // The login reaches the queue file: proof that Postfix, not only mxprobe, saw it succeed.
  smtpd_sasl_authenticated_header: 'yes',
  // No permit_mynetworks: 127.0.0.1 may relay only when authenticated.
  smtpd_relay_restrictions: 'permit_sasl_authenticated,reject_unauth_destination',
};

// Like test/postfix/guard.ts for Postfix: without Dovecot the file is skipped with one loud
// line, except under CI=true (.ci/run installs dovecot-core), where that is a failure.
const missing = dovecotMissing();
const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '');
if (missing && !inCi) console.warn(`SKIPPED submission end to end: ${missing}`);
const describeSasl = missing && !inCi ? describe.skip : describePostfix;

describeSasl('submission end to end: Postfix + Dovecot SASL', () => {
  let pki: Pki;
  let pf: PostfixInstance;
  let dovecot: DovecotAuth;

  beforeAll(async () => {
    if (missing) throw new Error(missing);
    pki = await createPki();
    pf = await startPostfix({
      pki,
      scenarios: ['good'],
      extraServices: {
        // RFC 6409 submission: STARTTLS, AUTH only after it (smtpd_tls_auth_only).
        submission: { summary: 'submission, AUTH only inside TLS', leaf: 'good', overrides: { ...SASL, smtpd_tls_auth_only: 'yes' } },
        // A server that still offers AUTH before STARTTLS.
        submissionOpen: { summary: 'submission, AUTH also before TLS', leaf: 'good', overrides: { ...SASL, smtpd_tls_auth_only: 'no' } },
        // RFC 8314 submissions: implicit TLS.
        smtps: { summary: 'implicit TLS submission', leaf: 'good', implicit: true, overrides: { ...SASL } },
      },
    });
    dovecot = await startDovecotAuth({
      dir: join(pf.dir, 'dovecot'),
      socketPath: join(pf.queueDir, 'private', 'dovecot-auth'),
      socketUser: 'postfix',
      users: { [USER]: PASSWORD },
    });
  });

  afterAll(async () => {
    await dovecot?.stop();
    await pf?.stop();
    // createPki()'s exit hook never runs in a vitest worker: the keys go with this file.
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const port = (name: string) => pf.extraServices[name].port;
  const submit = (destination: string, extra: ProbeOptions, environment: Record<string, string> = env): Promise<ProbeResult> =>
    probeSubmission(destination, {
      servername: 'mx.test.example', ca: pki.root.pem, ehlo: 'client.test.example', ...SHORT,
      auth: 'PLAIN', authUser: USER, from: USER, to: ['bob@elsewhere.example'], ...extra,
    }, environment);

  /** The queue file of the message a probe delivered (by the queue id in its reply to the end of DATA). */
  async function queued(r: ProbeResult): Promise<string> {
    const end = r.smtp.replies.find((x) => x.command === '<end of data>');
    expect(end).toMatchObject({ code: 250 });
    const id = /queued as ([0-9A-Z]+)/.exec(end!.text)?.[1];
    expect(id).toBeTruthy();
    const held = await pf.held();
    expect(held.map((m) => m.queueId)).toContain(id);
    return pf.postcat(id!);
  }

  it('submission://: STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA queued, and Postfix saw the login', async () => {
    const r = await submit(`submission://127.0.0.1:${port('submission')}`, { quitAfter: 'data' });
    expect(r.error).toBeNull();
    expect(r.status).toBe('ok');
    expect(r.mode).toBe('starttls');
    expect(r.smtp.auth).toMatchObject({ mechanism: 'PLAIN', authenticated: true, plaintext: false, reply: { code: 235, enhanced: '2.7.0' } });
    // smtpd_tls_auth_only = yes: AUTH is not offered before TLS, and mxprobe says so.
    expect(r.smtp.auth!.offeredBeforeTls).toEqual([]);
    expect(r.smtp.auth!.offeredAfterTls).toEqual(expect.arrayContaining(['PLAIN', 'LOGIN']));
    expect(r.findings.map((f) => f.code)).not.toContain('auth-before-tls');
    expect(await queued(r)).toContain(`(Authenticated sender: ${USER})`);
    expect(pf.log()).toMatch(/sasl_method=PLAIN, sasl_username=alice@test\.example/);
  });

  it('smtps://: implicit TLS, AUTH, DATA queued', async () => {
    const r = await submit(`smtps://127.0.0.1:${port('smtps')}`, { quitAfter: 'data' });
    expect(r.error).toBeNull();
    expect(r.mode).toBe('implicit');
    expect(r.smtp.auth).toMatchObject({ offeredBeforeTls: null, authenticated: true });
    expect(await queued(r)).toContain(`(Authenticated sender: ${USER})`);
  });

  it.each(['LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'] as SaslMechanism[])('%s through Postfix to Dovecot: 235', async (mechanism) => {
    const r = await submit(`submission://127.0.0.1:${port('submission')}`, { auth: mechanism });
    expect(r.error).toBeNull();
    expect(r.smtp.auth).toMatchObject({ mechanism, authenticated: true, reply: { code: 235 } });
    expect(r.smtp.replies.find((x) => x.command.startsWith('RCPT'))).toMatchObject({ code: 250 });
  });

  it('a wrong password: 535 5.7.8, and no MAIL', async () => {
    const before = (await pf.held()).length;
    const r = await submit(`submission://127.0.0.1:${port('submission')}`, { quitAfter: 'data' }, { MXPROBE_AUTH_PASSWORD: 'not the password' });
    expect(r.error).toMatchObject({ phase: 'auth', code: 'smtp-reply', reply: { code: 535, enhanced: '5.7.8' } });
    expect(r.status).toBe('critical');
    expect(r.smtp.replies.map((x) => x.command)).not.toContainEqual(expect.stringMatching(/^MAIL/));
    expect((await pf.held()).length).toBe(before);
  });

  it('without AUTH the relay is refused: AUTH is what permits it', async () => {
    const r = await submit(`submission://127.0.0.1:${port('submission')}`, { auth: undefined, authUser: undefined });
    expect(r.error).toMatchObject({ phase: 'rcpt', code: 'smtp-reply', reply: { code: 554, enhanced: '5.7.1' } });
  });

  it('smtpd_tls_auth_only = no: AUTH offered before TLS is reported, and still sent only inside TLS', async () => {
    const r = await submit(`submission://127.0.0.1:${port('submissionOpen')}`, {});
    expect(r.error).toBeNull();
    expect(r.smtp.auth!.offeredBeforeTls).toEqual(expect.arrayContaining(['PLAIN']));
    expect(r.smtp.auth).toMatchObject({ plaintext: false, authenticated: true });
    expect(r.findings).toContainEqual(expect.objectContaining({ code: 'auth-before-tls', severity: 'warning' }));
  });

  it('no output format shows the password or its base64 forms', async () => {
    const sub = `submission://127.0.0.1:${port('submission')}`;
    const results = [
      ...(await Promise.all((['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'] as SaslMechanism[]).map((auth) => submit(sub, { auth, transcript: true, quitAfter: 'data' })))),
      await submit(`smtps://127.0.0.1:${port('smtps')}`, { transcript: true }),
      await submit(`submission://127.0.0.1:${port('submissionOpen')}`, { level: 'none', authInsecure: true, transcript: true }),
    ];
    // A wrong password, once with the probe's password as the wrong one for another user: its forms must not show either.
    results.push(await submit(sub, { authUser: 'mallory@test.example', transcript: true }));
    expect(results.filter((r) => r.smtp.auth?.authenticated).length).toBe(6);
    expect(results.at(-1)!.error).toMatchObject({ phase: 'auth', reply: { code: 535 } });
    const outputs: Record<string, string> = {
      json: toJson(results),
      ndjson: results.map(toNdjsonLine).join(''),
      transcript: results.map((r) => renderTranscript(r.smtp.transcript!)).join(''),
      table: results.map((r) => probeTable(r, { color: false })).join(''),
      sections: JSON.stringify(results.map(submissionSections)),
      summary: summaryTable(results, { color: false }),
      quiet: renderQuiet(results, { color: false }),
      nagios: renderNagios(results, { warnDays: 21, critDays: 7 }),
      errors: results.map((r) => r.error?.message ?? '').join('\n'),
    };
    const forms = [...secretForms(USER, PASSWORD), ...secretForms('mallory@test.example', PASSWORD)];
    for (const [format, text] of Object.entries(outputs)) {
      for (const form of forms) expect(text.includes(form), `${format} contains ${form}`).toBe(false);
    }
    expect(outputs.transcript).toContain('-> AUTH PLAIN <redacted>');
    expect(outputs.transcript).toContain('<- 334 <redacted>');
  });

  it('level none with --auth-insecure: AUTH in plaintext, a WARNING', async () => {
    const r = await submit(`submission://127.0.0.1:${port('submissionOpen')}`, { level: 'none', authInsecure: true });
    expect(r.error).toBeNull();
    expect(r.smtp.auth).toMatchObject({ plaintext: true, authenticated: true });
    expect(r.status).toBe('warning');
  });
});
