// Replies matched to the commands they answer (RFC 5321 §4.3.2, RFC 2920 §3.2), through probe()
// against raw scripted servers: a server that answers one command twice, skips one, adds one or
// sends a code no command can get must never read as a success. Each server is plaintext with
// PIPELINING, like smtpDialog, and writes what the test says, all in one write where a real
// pipelining server would flush a group's replies at once.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../fixtures/pki.js';
import type { ScriptIO } from '../../fixtures/raw-server.js';
import type { ProbeOptions } from '../../src/types.js';
import { options, probePort, useFixtures, verb } from './helpers.js';

const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});

const HOST = 'mx.test.example';
const FROM = 'probe@client.test.example';
const TO = 'postmaster@test.example';
const EHLO_REPLY = `250-${HOST}\r\n250 PIPELINING\r\n`;

/** Verbs of what the client sent on the connection ("MAIL FROM:<a>\r\nRCPT ..." → MAIL, RCPT). */
const sentVerbs = (text: string | undefined) => (text ?? '').split('\r\n').filter(Boolean).map(verb);

/** Banner, EHLO with PIPELINING, then read `lines` commands and answer them with `reply` in one write. */
function pipelined(lines: string[], reply: string, after?: (io: ScriptIO) => Promise<void>) {
  return async (io: ScriptIO) => {
    await io.writeline(`220 ${HOST} ESMTP raw`);
    await io.readline('EHLO');
    await io.write(EHLO_REPLY);
    for (const l of lines) await io.readline(l);
    await io.write(reply);
    await (after ? after(io) : io.waitClose());
  };
}

const plain = (extra: ProbeOptions = {}) => options(pki, { level: 'may', from: FROM, to: [TO], timeoutMs: 1500, ...extra });

describe('a server that answers MAIL twice and then 550 to RCPT', () => {
  it('pipelined (MAIL, RCPT, RSET, QUIT): QUIT gets RSET\'s 250 → protocol-violation, never "RCPT 250" and exit 0', async () => {
    const s = await fx.raw(pipelined(['MAIL', 'RCPT', 'RSET', 'QUIT'],
      '250 2.1.0 Ok\r\n250 2.1.0 Ok\r\n550 5.1.1 <postmaster@test.example>: Recipient address rejected\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n'));
    const r = await probePort(s.port, plain());
    expect(r.error).toMatchObject({ phase: 'quit', code: 'protocol-violation' });
    expect(r.error!.message).toMatch(/250 2\.0\.0 Ok.*cannot answer QUIT/);
    expect(r.error!.reply?.code).toBe(250);
    expect(r.status).toBe('critical');
    // the replies are shown as they arrived, the one out of step last
    expect(r.smtp.replies.map((x) => [verb(x.command), x.code])).toEqual([['EHLO', 250], ['MAIL', 250], ['RCPT', 250], ['RSET', 550], ['QUIT', 250]]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sentVerbs(s.plaintext[0])).toEqual(['EHLO', 'MAIL', 'RCPT', 'RSET', 'QUIT']);
  });

  it('pipelined with DATA: the extra reply is found before RSET is written, the session botched', async () => {
    const s = await fx.raw(pipelined(['MAIL', 'RCPT', 'DATA'],
      '250 2.1.0 Ok\r\n250 2.1.0 Ok\r\n550 5.1.1 Recipient address rejected\r\n354 End data with <CR><LF>.<CR><LF>\r\n'));
    const r = await probePort(s.port, plain({ quitAfter: 'data' }));
    expect(r.error).toMatchObject({ phase: 'data', code: 'protocol-violation' });
    expect(r.error!.message).toMatch(/nobody asked for after the reply to DATA: "354/);
    expect(r.error!.message).toMatch(/after: DATA refused: 550/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // no RSET, no QUIT, no message into a conversation out of step
    expect(sentVerbs(s.plaintext[0])).toEqual(['EHLO', 'MAIL', 'RCPT', 'DATA']);
  });

  it('one command at a time (--no-pipelining): the second 250 is pending before RCPT is written', async () => {
    const s = await fx.raw(async (io) => {
      await io.writeline(`220 ${HOST} ESMTP raw`);
      await io.readline('EHLO');
      await io.write(EHLO_REPLY);
      await io.readline('MAIL');
      await io.write('250 2.1.0 Ok\r\n250 2.1.0 Ok\r\n');
      await io.readline('RCPT');
      await io.writeline('550 5.1.1 Recipient address rejected');
      await io.waitClose();
    });
    const r = await probePort(s.port, plain({ pipelining: false }));
    expect(r.error).toMatchObject({ phase: 'mail', code: 'protocol-violation' });
    expect(r.error!.message).toMatch(/nobody asked for after the reply to MAIL/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sentVerbs(s.plaintext[0])).toEqual(['EHLO', 'MAIL']);
  });
});

describe('a missing reply', () => {
  it('no reply to RCPT: timeout in phase rcpt, after --timeout, nothing more sent', async () => {
    const s = await fx.raw(async (io) => {
      await io.writeline(`220 ${HOST} ESMTP raw`);
      await io.readline('EHLO');
      await io.write(EHLO_REPLY);
      await io.readline('MAIL');
      await io.readline('RCPT');
      await io.writeline('250 2.1.0 Ok');
      await io.waitClose();
    });
    const r = await probePort(s.port, plain({ timeoutMs: 600 }));
    expect(r.error).toMatchObject({ phase: 'rcpt', code: 'timeout' });
    expect(r.elapsedMs).toBeGreaterThanOrEqual(550);
    expect(r.elapsedMs).toBeLessThan(1500);
    expect(sentVerbs(s.plaintext[0])).toEqual(['EHLO', 'MAIL', 'RCPT', 'RSET', 'QUIT']);
  });

  it('RCPT skipped, RSET and QUIT answered: RSET gets 221 → protocol-violation, not a lost QUIT', async () => {
    const s = await fx.raw(pipelined(['MAIL', 'RCPT', 'RSET', 'QUIT'], '250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n', async (io) => io.end()));
    const r = await probePort(s.port, plain());
    expect(r.error).toMatchObject({ phase: 'quit', code: 'protocol-violation' });
    expect(r.error!.message).toMatch(/221 .*cannot answer RSET/);
  });
});

describe('an extra reply', () => {
  it('RCPT answered twice (pipelined): QUIT gets RSET\'s 250 → protocol-violation', async () => {
    const s = await fx.raw(pipelined(['MAIL', 'RCPT', 'RSET', 'QUIT'], '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n'));
    const r = await probePort(s.port, plain());
    expect(r.error).toMatchObject({ phase: 'quit', code: 'protocol-violation' });
    expect(r.error!.message).toMatch(/250 .*cannot answer QUIT/);
  });

  it('QUIT answered twice: the reply after 221 is found', async () => {
    const s = await fx.raw(pipelined(['MAIL', 'RCPT', 'RSET', 'QUIT'], '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n221 2.0.0 Bye\r\n'));
    const r = await probePort(s.port, plain());
    expect(r.error).toMatchObject({ phase: 'quit', code: 'protocol-violation' });
    expect(r.error!.message).toMatch(/nobody asked for after the reply to QUIT/);
  });

  it('an extra line after the EHLO reply: nothing more is sent (no STARTTLS, no QUIT)', async () => {
    const s = await fx.raw(async (io) => {
      await io.writeline(`220 ${HOST} ESMTP raw`);
      await io.readline('EHLO');
      await io.write(`250-${HOST}\r\n250 STARTTLS\r\n250 2.0.0 Ok\r\n`);
      await io.waitClose();
    });
    const r = await probePort(s.port, options(pki));
    expect(r.error).toMatchObject({ phase: 'ehlo', code: 'protocol-violation' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sentVerbs(s.plaintext[0])).toEqual(['EHLO']);
  });

  it('an unsolicited 421 is the server closing (RFC 5321 §3.8): read as the next reply, a refusal, not a violation', async () => {
    const s = await fx.raw(async (io) => {
      await io.writeline(`220 ${HOST} ESMTP raw`);
      await io.readline('EHLO');
      await io.write(`${EHLO_REPLY}421 4.4.2 ${HOST} Error: timeout exceeded\r\n`);
      await io.waitClose();
    });
    const r = await probePort(s.port, plain());
    expect(r.error).toMatchObject({ phase: 'mail', code: 'smtp-reply' });
    expect(r.error!.reply?.code).toBe(421);
  });
});

describe('codes no command can get, or not this one', () => {
  it.each([
    ['260 to RCPT (second digit outside 0-5)', ['MAIL', 'RCPT', 'RSET', 'QUIT'], '250 Ok\r\n260 Ok\r\n250 Ok\r\n221 Bye\r\n', 'rcpt', /outside RFC 5321 §4\.2/],
    ['354 to MAIL', ['MAIL', 'RCPT', 'RSET', 'QUIT'], '354 go ahead\r\n250 Ok\r\n250 Ok\r\n221 Bye\r\n', 'mail', /354 cannot answer MAIL/],
    ['220 to RCPT', ['MAIL', 'RCPT', 'RSET', 'QUIT'], '250 Ok\r\n220 Ok\r\n250 Ok\r\n221 Bye\r\n', 'rcpt', /220 cannot answer RCPT/],
    ['250 to DATA', ['MAIL', 'RCPT', 'DATA'], '250 Ok\r\n250 Ok\r\n250 Ok\r\n', 'data', /250 cannot answer DATA/],
    ['250 to QUIT', ['MAIL', 'RCPT', 'RSET', 'QUIT'], '250 Ok\r\n250 Ok\r\n250 Ok\r\n250 Bye\r\n', 'quit', /250 cannot answer QUIT/],
    ['199 to RCPT (not a reply line)', ['MAIL', 'RCPT', 'RSET', 'QUIT'], '250 Ok\r\n199 Ok\r\n250 Ok\r\n221 Bye\r\n', 'rcpt', /not an SMTP reply line/],
  ])('%s → protocol-violation in that phase', async (_name, lines, reply, phase, message) => {
    const s = await fx.raw(pipelined(lines, reply));
    const r = await probePort(s.port, plain({ quitAfter: lines.includes('DATA') ? 'data' : 'rcpt' }));
    expect(r.error).toMatchObject({ phase, code: 'protocol-violation' });
    expect(r.error!.message).toMatch(message);
    expect(r.status).toBe('critical');
  });

  it('a server that requires TLS refuses RSET too (Postfix: 530 to all but EHLO/STARTTLS/NOOP/QUIT): a refusal of MAIL, no violation', async () => {
    const s = await fx.raw(pipelined(['MAIL', 'RCPT', 'RSET', 'QUIT'], '530 5.7.0 Must issue a STARTTLS command first\r\n'.repeat(3) + '221 2.0.0 Bye\r\n'));
    const r = await probePort(s.port, plain({ level: 'none' }));
    expect(r.error).toMatchObject({ phase: 'mail', code: 'smtp-reply' });
    expect(r.error!.reply?.code).toBe(530);
  });

  it('refusal codes beyond RFC 5321 §4.3.2\'s lists stay refusals (Postfix: 554 Relay access denied at RCPT)', async () => {
    const s = await fx.raw(pipelined(['MAIL', 'RCPT', 'RSET', 'QUIT'], '250 2.1.0 Ok\r\n554 5.7.1 <postmaster@test.example>: Relay access denied\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n'));
    const r = await probePort(s.port, plain());
    expect(r.error).toMatchObject({ phase: 'rcpt', code: 'smtp-reply' });
    expect(r.error!.reply?.code).toBe(554);
  });

  it('in step: MAIL 250, RCPT 250, RSET 250, QUIT 221 is OK', async () => {
    const s = await fx.raw(pipelined(['MAIL', 'RCPT', 'RSET', 'QUIT'], '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n'));
    const r = await probePort(s.port, plain());
    expect(r.error).toBeNull();
    expect(r.status).toBe('warning'); // level may without STARTTLS
    expect(r.smtp.replies.map((x) => x.code)).toEqual([250, 250, 250, 250, 221]);
  });
});
