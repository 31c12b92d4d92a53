// The SMTP conversation: capabilities before and after TLS, the MAIL/RCPT/DATA walk,
// and the replies that end a probe (421 banner, 454 to STARTTLS, 550 to RCPT).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../fixtures/pki.js';
import { EHLO_NAME, finding, keywords, options, probePort, useFixtures, verb } from './helpers.js';

const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});

const FROM = 'probe@client.test.example';
const TO = 'postmaster@test.example';

describe('capabilities', () => {
  it('pre-TLS knowledge is discarded: AUTH only after TLS, STARTTLS only before', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good });
    const r = await probePort(f.port, options(pki));
    expect(r.status).toBe('ok');
    expect(r.smtp.banner?.code).toBe(220);
    expect(r.smtp.starttls.offered).toBe(true);
    expect(r.smtp.starttls.reply?.code).toBe(220);
    expect(keywords(r.smtp.ehlo)).toContain('STARTTLS');
    expect(keywords(r.smtp.ehlo)).not.toContain('AUTH');
    expect(keywords(r.smtp.ehloTls)).toContain('AUTH');
    expect(keywords(r.smtp.ehloTls)).not.toContain('STARTTLS');
    expect(r.smtp.ehloTls).toContain('AUTH LOGIN PLAIN');
    expect(r.smtp.capabilityChanges).toEqual({ added: ['AUTH LOGIN PLAIN'], removed: ['STARTTLS'] });
    expect(finding(r, 'auth-before-tls')).toBeUndefined();
    expect(finding(r, /starttls/)).toBeUndefined();
    // RFC 3207 §4.2: EHLO again after TLS; a TLS-only probe ends with QUIT, never MAIL/DATA
    await expect.poll(() => f.commands.map(verb)).toEqual(['EHLO', 'STARTTLS', 'EHLO', 'QUIT']);
    expect(f.commands[0]).toBe(`EHLO ${EHLO_NAME}`);
  });

  it('AUTH offered in plaintext is a finding', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, authBeforeTls: true });
    const r = await probePort(f.port, options(pki));
    expect(keywords(r.smtp.ehlo)).toContain('AUTH');
    expect(finding(r, 'auth-before-tls')?.severity).toBe('warning');
    expect(r.error).toBeNull();
    expect(r.status).toBe('warning');
  });

  it('STARTTLS still advertised inside TLS is a finding', async () => {
    const s = await fx.faulty('starttlsStillAdvertised');
    const r = await probePort(s.port, options(pki));
    expect(r.error).toBeNull();
    expect(keywords(r.smtp.ehloTls)).toContain('STARTTLS');
    expect(finding(r, 'starttls-after-tls')?.severity).toBe('warning');
    expect(r.status).toBe('warning');
    expect(r.tls?.protocol).toBe('TLSv1.3');
    expect(r.verification).toMatchObject({ trusted: true, hostnameMatch: true });
  });

  it('quitAfter ehlo: no STARTTLS sent, no TLS facts', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good });
    const r = await probePort(f.port, options(pki, { quitAfter: 'ehlo', level: 'may' }));
    expect(r.tls).toBeNull();
    expect(r.smtp.ehloTls).toBeNull();
    await expect.poll(() => f.commands.map(verb)).toEqual(['EHLO', 'QUIT']);
  });

  it('level none: plaintext only, TLS not attempted', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good });
    const r = await probePort(f.port, options(pki, { level: 'none' }));
    expect(r.status).toBe('ok');
    expect(r.tls).toBeNull();
    await expect.poll(() => f.commands.includes('QUIT')).toBe(true);
    expect(f.commands.map(verb)).not.toContain('STARTTLS');
  });
});

describe('no STARTTLS', () => {
  it.each([
    ['verify', 'critical', { phase: 'starttls', code: 'starttls-not-offered' }],
    ['encrypt', 'critical', { phase: 'starttls', code: 'starttls-not-offered' }],
    ['may', 'warning', null],
  ] as const)('level %s → %s', async (level, status, error) => {
    const f = await fx.smtp({ leaf: pki.leaves.good, noStarttls: true });
    const r = await probePort(f.port, options(pki, { level }));
    expect(r.status).toBe(status);
    if (error) expect(r.error).toMatchObject(error);
    else {
      expect(r.error).toBeNull();
      expect(finding(r, 'no-tls')?.severity).toBe('warning');
    }
    expect(r.smtp.starttls.offered).toBe(false);
    expect(r.tls).toBeNull();
    // offered or not, the probe never sends STARTTLS to a server that did not offer it, and says goodbye
    await expect.poll(() => f.commands.at(-1)).toBe('QUIT');
    expect(f.commands.map(verb)).not.toContain('STARTTLS');
  });

  it('STARTTLS refused with 454: starttls-refused with the reply', async () => {
    const s = await fx.faulty('starttlsRefused');
    const r = await probePort(s.port, options(pki));
    expect(r.status).toBe('critical');
    expect(r.error).toMatchObject({ phase: 'starttls', code: 'starttls-refused', reply: { code: 454, enhanced: '4.7.0' } });
    expect(r.smtp.starttls).toMatchObject({ offered: true, reply: { code: 454 } });
  });

  it('STARTTLS refused at level may: warning, delivery would go on in plaintext', async () => {
    const s = await fx.faulty('starttlsRefused');
    const r = await probePort(s.port, options(pki, { level: 'may' }));
    expect(r.status).toBe('warning');
    expect(r.error).toBeNull();
    expect(r.tls).toBeNull();
    expect(finding(r, 'starttls-refused')?.severity).toBe('warning');
    // a refused STARTTLS leaves a sane session: it is closed politely
    await expect.poll(() => s.plaintext[0]).toBe(`EHLO ${EHLO_NAME}\r\nSTARTTLS\r\nQUIT\r\n`);
  });
});

describe('EHLO refused', () => {
  it('falls back to HELO; no extensions means no STARTTLS', async () => {
    const s = await fx.faulty('ehloRefused');
    const v = await probePort(s.port, options(pki));
    expect(v.error).toMatchObject({ phase: 'starttls', code: 'starttls-not-offered' });
    expect(v.status).toBe('critical');
    const r = await probePort(s.port, options(pki, { level: 'may' }));
    expect(r.error).toBeNull();
    expect(r.smtp.heloFallback).toBe(true);
    expect(r.smtp.ehlo).toEqual([]);
    expect(r.smtp.starttls.offered).toBe(false);
    await expect.poll(() => s.plaintext[1]).toBe(`EHLO ${EHLO_NAME}\r\nHELO ${EHLO_NAME}\r\nQUIT\r\n`);
    // level may: no TLS is a warning, as when EHLO works but lacks STARTTLS
    expect(r.status).toBe('warning');
    expect(finding(r, 'no-tls')?.severity).toBe('warning');
  });
});

describe('421 banner', () => {
  it('is an smtp-reply error at phase banner, with the reply', async () => {
    const f = await fx.smtp({ banner421: true });
    const r = await probePort(f.port, options(pki));
    expect(r.status).toBe('critical');
    expect(r.error).toMatchObject({ phase: 'banner', code: 'smtp-reply', reply: { code: 421 } });
    expect(r.smtp.banner?.code).toBe(421);
    expect(r.tls).toBeNull();
  });
});

describe('MAIL / RCPT / DATA walk', () => {
  it('--from/--to: replies recorded, RSET and QUIT after RCPT, no DATA', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good });
    const r = await probePort(f.port, options(pki, { from: FROM, to: [TO, 'abuse@test.example'] }));
    expect(r.error).toBeNull();
    expect(r.status).toBe('ok');
    const walk = r.smtp.replies.filter((x) => ['MAIL', 'RCPT'].includes(verb(x.command)));
    expect(walk.map((x) => [x.command, x.code])).toEqual([
      [`MAIL FROM:<${FROM}>`, 250],
      [`RCPT TO:<${TO}>`, 250],
      ['RCPT TO:<abuse@test.example>', 250],
    ]);
    expect(walk[0].enhanced).toBe('2.1.0');
    await expect.poll(() => f.commands.map(verb)).toEqual(['EHLO', 'STARTTLS', 'EHLO', 'MAIL', 'RCPT', 'RCPT', 'RSET', 'QUIT']);
    expect(f.messages).toHaveLength(0);
  });

  it('RCPT refused 550: error at phase rcpt with the reply', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, refuseRcpt: ['nobody@test.example'] });
    const r = await probePort(f.port, options(pki, { from: FROM, to: ['nobody@test.example'] }));
    expect(r.error).toMatchObject({ phase: 'rcpt', code: 'smtp-reply', reply: { code: 550, enhanced: '5.1.1' } });
    expect(r.status).toBe('critical');
    expect(r.smtp.replies.find((x) => verb(x.command) === 'RCPT')).toMatchObject({ command: 'RCPT TO:<nobody@test.example>', code: 550 });
    // TLS facts are still reported: the failure came after the handshake
    expect(r.tls?.protocol).toBe('TLSv1.3');
    expect(r.certificates[0].sha256).toBe(pki.leaves.good.sha256);
    await expect.poll(() => f.commands.at(-1)).toBe('QUIT');
    expect(f.commands.map(verb)).not.toContain('DATA');
  });

  it('without PIPELINING (and with --no-pipelining) the walk still completes', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good, hidePipelining: true });
    const r = await probePort(f.port, options(pki, { from: FROM, to: [TO] }));
    expect(r.status).toBe('ok');
    const g = await fx.smtp({ leaf: pki.leaves.good });
    const s = await probePort(g.port, options(pki, { from: FROM, to: [TO], pipelining: false }));
    expect(s.status).toBe('ok');
    expect(s.smtp.replies.filter((x) => verb(x.command) === 'RCPT').map((x) => x.code)).toEqual([250]);
  });

  it('data: the message is delivered as given, inside TLS', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good });
    const body = 'Subject: mxprobe integration test\r\n\r\nhello from the probe test\r\n.leading dot line\r\n';
    const r = await probePort(f.port, options(pki, { from: FROM, to: [TO], data: body }));
    expect(r.error).toBeNull();
    expect(r.status).toBe('ok');
    await expect.poll(() => f.messages.length).toBe(1);
    expect(f.messages[0]).toMatchObject({ from: FROM, to: [TO], secure: true });
    expect(f.messages[0].body).toContain('hello from the probe test\r\n');
    // dot-stuffing (RFC 5321 §4.5.2) was applied on the wire and undone by the server
    expect(f.messages[0].body).toContain('\r\n.leading dot line\r\n');
    expect(r.smtp.replies.slice(3).map((x) => [x.command, x.code])).toEqual([
      [`MAIL FROM:<${FROM}>`, 250],
      [`RCPT TO:<${TO}>`, 250],
      ['DATA', 354],
      ['<end of data>', 250],
      ['QUIT', 221],
    ]);
    expect(r.smtp.replies.at(-2)!.text).toContain('queued as FIXTURE');
    await expect.poll(() => f.commands.at(-1)).toBe('QUIT');
    expect(f.commands.map(verb)).not.toContain('RSET');
  });

  it('quitAfter data without data: a generated test message with Date, Message-ID, Subject', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good });
    const r = await probePort(f.port, options(pki, { from: FROM, to: [TO], quitAfter: 'data' }));
    expect(r.status).toBe('ok');
    await expect.poll(() => f.messages.length).toBe(1);
    const body = f.messages[0].body;
    expect(body).toMatch(/^Date: .+\r\n/m);
    expect(body).toMatch(/^Message-ID: <.+@.+>\r\n/im);
    expect(body).toMatch(/^Subject: .+\r\n/m);
  });

  it('quitAfter mail: stops after MAIL with RSET + QUIT', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good });
    const r = await probePort(f.port, options(pki, { from: FROM, to: [TO], quitAfter: 'mail' }));
    expect(r.status).toBe('ok');
    await expect.poll(() => f.commands.map(verb)).toEqual(['EHLO', 'STARTTLS', 'EHLO', 'MAIL', 'RSET', 'QUIT']);
  });

  it('never sends DATA unless asked, over many connections', async () => {
    const f = await fx.smtp({ leaf: pki.leaves.good });
    await Promise.all([1, 2, 3].map(() => probePort(f.port, options(pki, { from: FROM, to: [TO] }))));
    await expect.poll(() => f.commands.filter((c) => c === 'QUIT').length).toBe(3);
    expect(f.commands.map(verb)).not.toContain('DATA');
    expect(f.messages).toHaveLength(0);
    expect(f.connections).toBe(3);
  });
});
