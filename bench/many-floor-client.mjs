#!/usr/bin/env node
// The floor for a list run: bench/floor-client.mjs's dialog (banner, EHLO, STARTTLS, TLS
// handshake, first-ticket wait on TLS 1.3, EHLO, QUIT) over every [address]:port of a list, N at
// a time, in one process, printing one line per target. What any Node client must spend per
// probe; bench/many-tls.mjs runs it on the same list as mxprobe.
//   node bench/many-floor-client.mjs LIST [concurrency=50]
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';

const targets = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => {
  const m = /^\[(.+)\]:(\d+)$/.exec(l);
  return { host: m[1], port: Number(m[2]) };
});
const CONCURRENCY = Number(process.argv[3] ?? 50);
const context = tls.createSecureContext({ minVersion: 'TLSv1' });

function probe({ host, port }) {
  return new Promise((resolve) => {
    let connectMs = 0;
    const t0 = performance.now();
    let stream = net.connect({ host, port, noDelay: true }, () => (connectMs = performance.now() - t0));
    let buf = '';
    let waiter = null;
    const fail = (why) => {
      stream.destroy();
      resolve(`${host}:${port} failed ${why}`);
    };
    const timer = setTimeout(() => fail('timeout'), 10_000);
    const onData = (chunk) => {
      buf += chunk.toString('latin1');
      const m = /(^|\n)\d{3} [^\n]*\n/.exec(buf);
      if (m && waiter) { const reply = buf.slice(0, m.index + m[0].length); buf = buf.slice(reply.length); const w = waiter; waiter = null; w(reply); }
    };
    stream.on('data', onData).on('error', (e) => fail(e.message));
    const reply = () => new Promise((r) => { waiter = r; onData(Buffer.alloc(0)); });
    const command = (line) => { stream.write(`${line}\r\n`); return reply(); };
    (async () => {
      await reply();
      await command('EHLO floor.example');
      await command('STARTTLS');
      stream.removeListener('data', onData);
      const secure = tls.connect({ socket: stream, secureContext: context, rejectUnauthorized: false, servername: 'mx.bench.example' });
      stream = secure;
      secure.on('data', onData).on('error', (e) => fail(e.message));
      await new Promise((r) => secure.once('secureConnect', r));
      if (secure.getProtocol() === 'TLSv1.3') {
        await new Promise((r) => {
          const t = setTimeout(r, Math.max(5, Math.ceil(connectMs * 1.5) + 2));
          secure.once('session', () => { clearTimeout(t); setImmediate(r); });
        });
      }
      await command('EHLO floor.example');
      await command('QUIT');
      const line = `${host}:${port} ${secure.getProtocol()} ${secure.getCipher().name} ${secure.authorized ? 'trusted' : 'untrusted'}`;
      clearTimeout(timer);
      secure.destroy();
      resolve(line);
    })().catch((e) => fail(e.message));
  });
}

let next = 0;
let out = '';
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (next < targets.length) {
    const line = await probe(targets[next++]); // not `out += await …`: that reads `out` before the wait
    out += `${line}\n`;
    if (out.length > 65536) {
      process.stdout.write(out);
      out = '';
    }
  }
}));
process.stdout.write(out);
