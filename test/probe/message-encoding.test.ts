// --data on the wire: no bare CR or LF ever leaves (RFC 5321 §2.3.8, §4.1.1.4), dots are
// doubled (§4.5.2), UTF-8 stays UTF-8. The raw fixture records the bytes after 354 as they arrive.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../fixtures/pki.js';
import { encodeData } from '../../src/smtp/message.js';
import { options, probePort, useFixtures } from './helpers.js';

const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});

describe('encodeData', () => {
  it.each([
    ['CRLF kept', 'a\r\nb\r\n', 'a\r\nb\r\n.\r\n'],
    ['bare LF → CRLF', 'a\nb', 'a\r\nb\r\n.\r\n'],
    ['bare CR → CRLF', 'a\rb\r', 'a\r\nb\r\n.\r\n'],
    ['CR CR LF → two line ends', 'a\r\r\nb', 'a\r\n\r\nb\r\n.\r\n'],
    ['LF CR → two line ends', 'a\n\rb', 'a\r\n\r\nb\r\n.\r\n'],
    ['leading dots doubled, also after a bare CR', '.a\r.b\n..c', '..a\r\n..b\r\n...c\r\n.\r\n'],
    ['a lone dot line', 'x\n.\ny', 'x\r\n..\r\ny\r\n.\r\n'],
    ['empty', '', '\r\n.\r\n'],
  ])('%s', (_name, input, wire) => {
    expect(encodeData(input).toString('latin1')).toBe(wire);
    expect(encodeData(Buffer.from(input, 'latin1')).toString('latin1')).toBe(wire);
  });

  it('UTF-8 in a string message is sent as UTF-8', () => {
    expect(encodeData('Grüße €\r').equals(Buffer.from('Grüße €\r\n.\r\n', 'utf8'))).toBe(true);
  });
});

describe('--data on the wire', () => {
  it('a message with bare CR and bare LF arrives with CRLF only', async () => {
    const HOST = 'mx.test.example';
    let wire = Buffer.alloc(0);
    const s = await fx.raw(async (io) => {
      await io.writeline(`220 ${HOST} ESMTP raw`);
      await io.readline('EHLO');
      await io.writeline(`250 ${HOST}`);
      await io.readline('MAIL');
      await io.writeline('250 2.1.0 Ok');
      await io.readline('RCPT');
      await io.writeline('250 2.1.5 Ok');
      await io.readline('DATA');
      await io.writeline('354 End data with <CR><LF>.<CR><LF>');
      while (!wire.toString('latin1').endsWith('\r\n.\r\n')) wire = Buffer.concat([wire, await io.read()]);
      await io.writeline('250 2.0.0 Ok: queued');
      await io.readline('QUIT');
      await io.writeline('221 2.0.0 Bye');
    });
    const message = 'Subject: cr test\rFrom: <a@client.test.example>\n\r.line with a dot\rlast line €';
    const r = await probePort(s.port, options(pki, { level: 'may', from: 'a@client.test.example', to: ['postmaster@test.example'], data: message }));
    expect(r.error).toBeNull();
    const text = wire.toString('latin1');
    expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    expect(wire.equals(Buffer.from('Subject: cr test\r\nFrom: <a@client.test.example>\r\n\r\n..line with a dot\r\nlast line €\r\n.\r\n', 'utf8'))).toBe(true);
  });
});
