#!/usr/bin/env node
// The floor for one STARTTLS probe: the smallest zero-dependency Node client that does what a
// probe must (banner, EHLO, STARTTLS, TLS handshake, EHLO again, QUIT) and prints one line.
//   node bench/floor-client.mjs HOST PORT [--ca FILE] [--servername NAME] [--implicit] [--no-settle]
// It has the same TLS 1.3 fix as mxprobe (src/tls/settle.ts): the first command after the
// handshake is written after the server's first NewSessionTicket has been processed. Without it
// (--no-settle) the EHLO reply from Postfix stalls ~43 ms on loopback: Postfix (no TCP_NODELAY)
// holds its EHLO reply behind its unacknowledged ticket, and our kernel delays that ACK (~40 ms)
// because we have nothing to send. Same bound as mxprobe: 1.5 connect round trips, min 5 ms.
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const [host, port] = args.filter((a, i) => !a.startsWith('--') && !['--ca', '--servername'].includes(args[i - 1]));
const servername = flag('--servername');
const ca = flag('--ca') ? readFileSync(flag('--ca')) : undefined;
const settle = !args.includes('--no-settle');
const fail = (why) => { console.error(`floor: ${why}`); process.exit(2); };
const timer = setTimeout(() => fail('timeout'), 10_000);

const t0 = performance.now();
let connectMs = 0;
let stream = args.includes('--implicit') ? upgrade(null) : net.connect(Number(port), host, () => (connectMs = performance.now() - t0));
let buf = '';
let waiter = null;
const onData = (chunk) => {
  buf += chunk.toString('latin1');
  const m = /(^|\n)\d{3} [^\n]*\n/.exec(buf); // the last line of a reply: "ddd " then text
  if (m && waiter) { const reply = buf.slice(0, m.index + m[0].length); buf = buf.slice(reply.length); const w = waiter; waiter = null; w(reply); }
};
stream.on('data', onData).on('error', (e) => fail(e.message));
const reply = () => new Promise((resolve) => { waiter = resolve; onData(Buffer.alloc(0)); });
const command = (line) => { stream.write(`${line}\r\n`); return reply(); };

function upgrade(socket) {
  const options = { ca, servername, rejectUnauthorized: false, minVersion: 'TLSv1' };
  return socket ? tls.connect({ ...options, socket }) : tls.connect({ ...options, host, port: Number(port) });
}
const secured = (s) => new Promise((resolve) => s.once('secureConnect', resolve));
// TLS 1.3: wait (bounded) for the first session ticket, then one more turn so it is processed.
const settled = (s) => new Promise((resolve) => {
  if (!settle || s.getProtocol() !== 'TLSv1.3') return resolve();
  const t = setTimeout(resolve, Math.max(5, Math.ceil(connectMs * 1.5) + 2));
  s.once('session', () => { clearTimeout(t); setImmediate(resolve); });
});

if (args.includes('--implicit')) await secured(stream);
if (!(await reply()).startsWith('220')) fail('no 220 banner');
if (!args.includes('--implicit')) {
  if (!/STARTTLS/i.test(await command('EHLO floor.example'))) fail('no STARTTLS');
  if (!(await command('STARTTLS')).startsWith('220')) fail('STARTTLS refused');
  stream.removeListener('data', onData);
  stream = upgrade(stream);
  stream.on('data', onData).on('error', (e) => fail(e.message));
  await secured(stream);
}
await settled(stream);
if (!(await command('EHLO floor.example')).startsWith('250')) fail('EHLO refused after TLS');
await command('QUIT');
const cipher = stream.getCipher();
console.log(`${host}:${port} ${stream.getProtocol()} ${cipher.name} ${stream.authorized ? 'trusted' : `untrusted (${stream.authorizationError})`}`);
clearTimeout(timer);
stream.end();
