// SMTP AUTH in the conversation against a scripted server (fixtures/sasl-server.ts): each
// mechanism, the walk that follows as authenticated, the TLS rules (credentials only inside TLS;
// plaintext only when allowed and never after STARTTLS failed), a server that misbehaves, and
// REQUIRETLS. The real SASL backend (Postfix + Dovecot) is in test/submission/postfix-*.test.ts.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { saslServerScript, type SaslServerLog, type SaslServerOptions } from '../../fixtures/sasl-server.js';
import { dest, finding, options, useFixtures } from '../probe/helpers.js';
import type { ProbeOptions, SaslMechanism } from '../../src/types.js';
import { probeSubmission } from './helpers.js';

const fx = useFixtures();
// createPki()'s exit hook never runs in a vitest worker: the keys go with this file.
afterAll(async () => rmSync((await fx.pki()).dir, { recursive: true, force: true }));
const USER = 'alice';
const PASSWORD = 'correct horse battery staple';
const env = { MXPROBE_AUTH_PASSWORD: PASSWORD };

async function server(extra: Partial<SaslServerOptions> = {}) {
  const pki = await fx.pki();
  const log: SaslServerLog = { sessions: [] };
  const s = await fx.raw(saslServerScript({ tls: { key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem }, users: { [USER]: PASSWORD }, ...extra }, log));
  /** The AUTH command lines and the continuation lines the client sent, as the server got them. */
  const authLines = () => {
    const out: string[] = [];
    let inAuth = false;
    for (const l of s.received) {
      if (/^AUTH /i.test(l)) inAuth = true;
      else if (/^(MAIL|RCPT|RSET|QUIT|DATA|EHLO|NOOP)\b/i.test(l)) inAuth = false;
      if (inAuth) out.push(l);
    }
    return out;
  };
  return { port: s.port, log, received: s.received, authLines };
}

async function walk(port: number, extra: ProbeOptions, environment: Record<string, string> = env) {
  const pki = await fx.pki();
  return probeSubmission(dest(port), options(pki, { auth: 'auto', authUser: USER, from: 'alice@client.test.example', to: ['bob@elsewhere.example'], transcript: true, ...extra }), environment);
}

describe('each mechanism, inside TLS, then MAIL/RCPT as authenticated', () => {
  it.each(['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'] as SaslMechanism[])('%s', async (mechanism) => {
    const s = await server();
    const r = await walk(s.port, { auth: mechanism });
    expect(r.error).toBeNull();
    expect(r.status).toBe('ok');
    expect(r.smtp.auth).toEqual({
      offeredBeforeTls: [],
      offeredAfterTls: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'],
      mechanism,
      plaintext: false,
      reply: { code: 235, enhanced: '2.7.0', text: 'Authentication successful' },
      authenticated: true,
      serverVerified: mechanism === 'SCRAM-SHA-256' ? true : null,
    });
    // The server saw the session authenticate as alice, then the transaction.
    expect(s.log.sessions).toEqual([{ user: USER, mail: 'MAIL FROM:<alice@client.test.example>' }]);
    expect(r.smtp.replies.map((x) => `${x.command} ${x.code}`)).toContain('RCPT TO:<bob@elsewhere.example> 250');
    // Nothing the client sent in the exchange is in the result.
    const json = JSON.stringify(r);
    const sent = s.authLines().map((l) => l.replace(/^AUTH \S+ ?/i, '')).filter((l) => l.length >= 8);
    expect(sent.length).toBeGreaterThan(0);
    for (const secret of sent) expect(json).not.toContain(secret);
    expect(json).not.toContain(PASSWORD);
    expect(r.smtp.transcript!.map((e) => `${e.dir} ${e.line}`)).toContain(`-> AUTH ${mechanism}${mechanism === 'PLAIN' || mechanism === 'SCRAM-SHA-256' ? ' <redacted>' : ''}`);
  });

  it('auto picks the strongest mechanism offered', async () => {
    expect((await walk((await server()).port, {})).smtp.auth?.mechanism).toBe('SCRAM-SHA-256');
    expect((await walk((await server({ mechanisms: ['LOGIN', 'PLAIN'] })).port, {})).smtp.auth?.mechanism).toBe('PLAIN');
  });

  it('works over implicit TLS, where nothing is offered before TLS', async () => {
    const s = await server({ implicit: true });
    const r = await walk(s.port, { auth: 'PLAIN', implicit: true });
    expect(r.error).toBeNull();
    expect(r.mode).toBe('implicit');
    expect(r.smtp.auth).toMatchObject({ offeredBeforeTls: null, offeredAfterTls: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'], authenticated: true });
  });
});

describe('a refused AUTH', () => {
  it('is a 535 in phase auth, and no MAIL follows', async () => {
    const s = await server();
    const r = await walk(s.port, { auth: 'PLAIN' }, { MXPROBE_AUTH_PASSWORD: 'wrong password' });
    expect(r.error).toMatchObject({ phase: 'auth', code: 'smtp-reply', reply: { code: 535, enhanced: '5.7.8' } });
    expect(r.status).toBe('critical');
    expect(r.smtp.auth).toMatchObject({ mechanism: 'PLAIN', authenticated: false, reply: { code: 535 } });
    expect(s.log.sessions[0]).toEqual({ user: null, mail: null });
    expect(s.received).not.toContainEqual(expect.stringMatching(/^MAIL/));
    expect(s.received.at(-1)).toBe('QUIT');
  });

  it('never shows credentials a hostile server echoes back', async () => {
    const s = await server({ misbehave: 'echo-credentials' });
    const r = await walk(s.port, { auth: 'PLAIN' }, { MXPROBE_AUTH_PASSWORD: 'wrong password' });
    const sent = s.authLines()[0].split(' ')[2];
    expect(sent.length).toBeGreaterThan(20);
    expect(r.error?.message).toBe('AUTH PLAIN refused: 535 5.7.8 Error: authentication failed: <redacted>');
    expect(JSON.stringify(r)).not.toContain(sent);
  });

  it.each([
    ['a wrong SCRAM server signature', 'bad-signature', 'auth-server-unverified', true],
    ['a SCRAM 235 without the server signature', 'no-signature', 'auth-server-unverified', false],
    ['a challenge that is not base64', 'bad-challenge', 'protocol-violation', true],
  ] as const)('%s stops the walk before MAIL', async (_name, misbehave, code, cancelled) => {
    const s = await server({ misbehave });
    const r = await walk(s.port, { auth: 'SCRAM-SHA-256' });
    expect(r.error).toMatchObject({ phase: 'auth', code });
    expect(r.smtp.auth?.authenticated).toBe(false);
    expect(s.log.sessions[0].mail).toBeNull();
    // RFC 4954 §4: the client ends an exchange it cannot continue with "*".
    expect(s.received.includes('*')).toBe(cancelled);
  });

  it('a mechanism the server does not offer is auth-not-offered, and no AUTH is sent', async () => {
    const s = await server({ mechanisms: ['PLAIN'] });
    const r = await walk(s.port, { auth: 'CRAM-MD5' });
    expect(r.error).toMatchObject({ phase: 'auth', code: 'auth-not-offered', message: 'server offers AUTH PLAIN inside TLS, not CRAM-MD5' });
    expect(s.authLines()).toEqual([]);
    expect(s.received.at(-1)).toBe('QUIT');
  });
});

describe('credentials only inside TLS', () => {
  it('STARTTLS not offered: no AUTH without --auth-insecure', async () => {
    const s = await server({ starttls: 'none', authBeforeTls: true });
    const r = await walk(s.port, { level: 'may', auth: 'PLAIN' });
    expect(r.error).toMatchObject({ phase: 'auth', code: 'auth-needs-tls' });
    expect(r.error!.message).toMatch(/does not offer STARTTLS: no credentials are sent without TLS \(--auth-insecure allows it\)/);
    expect(s.authLines()).toEqual([]);
    expect(s.received.at(-1)).toBe('QUIT');
    expect(r.smtp.auth).toMatchObject({ offeredBeforeTls: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'], offeredAfterTls: null, mechanism: null });
  });

  it('STARTTLS not offered, --auth-insecure: AUTH in plaintext, a WARNING', async () => {
    const s = await server({ starttls: 'none', authBeforeTls: true });
    const r = await walk(s.port, { level: 'may', auth: 'PLAIN', authInsecure: true });
    expect(r.error).toBeNull();
    expect(r.status).toBe('warning');
    expect(finding(r, 'auth-plaintext')).toMatchObject({ severity: 'warning' });
    expect(r.smtp.auth).toMatchObject({ plaintext: true, authenticated: true });
    expect(JSON.stringify(r)).not.toContain(Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64'));
  });

  it('STARTTLS refused: no credentials, even with --auth-insecure', async () => {
    const s = await server({ starttls: 'refuse', authBeforeTls: true });
    const r = await walk(s.port, { level: 'may', auth: 'PLAIN', authInsecure: true });
    expect(r.error).toMatchObject({ phase: 'auth', code: 'auth-needs-tls' });
    expect(r.error!.message).toMatch(/^STARTTLS failed \(454 4\.7\.0 .*\): no credentials are sent over this connection$/);
    expect(s.authLines()).toEqual([]);
  });

  it('a failed handshake: no credentials, even with --auth-insecure', async () => {
    const pki = await fx.pki();
    const s = await server({ tls: { key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem, maxVersion: 'TLSv1.2' }, authBeforeTls: true });
    const r = await walk(s.port, { level: 'may', auth: 'PLAIN', authInsecure: true, protocols: '>=TLSv1.3' });
    expect(r.error).toMatchObject({ phase: 'handshake', code: 'tls-handshake' });
    expect(s.authLines()).toEqual([]);
  });

  it('a level not met (untrusted chain at verify): no credentials', async () => {
    const s = await server();
    const r = await walk(s.port, { auth: 'PLAIN', ca: undefined });
    expect(r.verification?.trusted).toBe(false);
    expect(s.authLines()).toEqual([]);
  });

  it('level none with --auth-insecure: plaintext AUTH, a WARNING', async () => {
    const s = await server({ authBeforeTls: true });
    const r = await walk(s.port, { level: 'none', auth: 'LOGIN', authInsecure: true });
    expect(r.error).toBeNull();
    expect(r.smtp.auth).toMatchObject({ mechanism: 'LOGIN', plaintext: true, offeredAfterTls: null, authenticated: true });
    expect(finding(r, 'auth-plaintext')?.severity).toBe('warning');
  });
});

describe('REQUIRETLS (RFC 8689)', () => {
  it('advertised inside TLS: MAIL FROM carries the parameter', async () => {
    const s = await server({ requireTls: true });
    const r = await walk(s.port, { auth: undefined, authUser: undefined, requireTls: true });
    expect(r.error).toBeNull();
    expect(r.smtp.requireTls).toEqual({ offered: true, requested: true });
    expect(s.log.sessions[0].mail).toBe('MAIL FROM:<alice@client.test.example> REQUIRETLS');
  });

  it('not advertised: refused in the RFC\'s words, and no MAIL is sent', async () => {
    const s = await server();
    const r = await walk(s.port, { auth: undefined, authUser: undefined, requireTls: true });
    expect(r.error).toMatchObject({ phase: 'mail', code: 'requiretls-not-offered' });
    expect(r.error!.message).toMatch(/^5\.7\.30 REQUIRETLS support required: the server does not advertise REQUIRETLS/);
    expect(r.smtp.requireTls).toEqual({ offered: false, requested: true });
    expect(s.received).not.toContainEqual(expect.stringMatching(/^MAIL/));
    expect(s.received.at(-1)).toBe('QUIT');
  });

  it('is reported without being asked for', async () => {
    const r = await walk((await server({ requireTls: true })).port, { auth: undefined, authUser: undefined });
    expect(r.smtp.requireTls).toEqual({ offered: true, requested: false });
  });
});
