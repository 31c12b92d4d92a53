// The end of the MAIL/RCPT/DATA walk with PIPELINING (RFC 2920): a QUIT that gets no reply,
// and DATA accepted after every RCPT was refused.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../fixtures/pki.js';
import type { ScriptIO } from '../../fixtures/raw-server.js';
import { finding, options, probePort, useFixtures, verb } from '../probe/helpers.js';

const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});
const HOST = 'mx.test.example';
const FROM = 'probe@client.test.example';
const TO = 'postmaster@test.example';

/** Plaintext server with PIPELINING; `onQuit` decides what QUIT gets; RCPT answered by `rcpt`. */
function server(o: { rcpt?: string; quit: (io: ScriptIO) => Promise<void>; bodies?: string[][] }) {
  return async (io: ScriptIO) => {
    await io.writeline(`220 ${HOST} ESMTP raw`);
    for (;;) {
      const line = await io.readline();
      switch (verb(line)) {
        case 'EHLO':
          await io.write(`250-${HOST}\r\n250 PIPELINING\r\n`);
          break;
        case 'RCPT':
          await io.writeline(o.rcpt ?? '250 2.1.5 Ok');
          break;
        case 'DATA': {
          await io.writeline('354 End data with <CR><LF>.<CR><LF>');
          const body: string[] = [];
          for (let l = await io.readline(); l !== '.'; l = await io.readline()) body.push(l);
          o.bodies?.push(body);
          await io.writeline('554 5.5.1 Error: no valid recipients');
          break;
        }
        case 'QUIT':
          return o.quit(io);
        default:
          await io.writeline('250 2.0.0 Ok');
      }
    }
  };
}

describe('a pipelined QUIT that gets no reply costs a finding, not the verdict', () => {
  // Without pipelining, a failed QUIT is an info finding (Conversation.quit catches it, 5 s cap).
  // With pipelining, RSET and QUIT are read after the group is sent: a server that just closes
  // after QUIT (common) makes result.error = {phase:'quit', code:'closed'} → CRITICAL,
  // and a server that never answers QUIT costs the full --timeout instead of 5 s.
  it('server closes instead of answering QUIT: same verdict with and without pipelining', async () => {
    const s = await fx.raw(server({ quit: async (io) => io.end() }));
    const plain = await probePort(s.port, options(pki, { level: 'may', from: FROM, to: [TO], pipelining: false }));
    expect(plain.error).toBeNull();
    expect(finding(plain, 'quit-failed')).toBeDefined();

    const piped = await probePort(s.port, options(pki, { level: 'may', from: FROM, to: [TO] }));
    expect(piped.error).toBeNull();
    expect(piped.status).toBe(plain.status);
    expect(finding(piped, 'quit-failed')).toBeDefined();
  });

  it('server never answers QUIT: the pipelined QUIT wait is capped like the unpipelined one (5 s)', async () => {
    const s = await fx.raw(server({ quit: async (io) => io.waitClose() }));
    const r = await probePort(s.port, options(pki, { level: 'may', from: FROM, to: [TO], timeoutMs: 8000, deadlineMs: 20_000 }));
    expect(r.error).toBeNull();
    expect(r.elapsedMs).toBeLessThan(7000);
  }, 30_000);
});

describe('RFC 2920 §3.1: DATA accepted (354) after every RCPT was refused gets only the dot', () => {
  // "if the DATA command was accepted the client SMTP should send a single dot."
  it('sends only "." and reports the RCPT refusal', async () => {
    const bodies: string[][] = [];
    const s = await fx.raw(server({ rcpt: '550 5.1.1 <postmaster@test.example>: Recipient address rejected', bodies, quit: async (io) => io.writeline('221 2.0.0 Bye') }));
    const r = await probePort(s.port, options(pki, { level: 'may', from: FROM, to: [TO], quitAfter: 'data' }));
    expect(r.error).toMatchObject({ phase: 'rcpt', code: 'smtp-reply' });
    expect(bodies).toEqual([[]]);
  });
});
