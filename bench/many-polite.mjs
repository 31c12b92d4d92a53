// The polite default against servers that refuse more than 2 new connections per second per
// address (a token bucket per listening address, burst 2, as Postfix's anvil or a firewall's
// hashlimit would; the refusal is anvil's "421 4.7.0 … Error: too many connections from …"):
// the default pace (2/s per address) against faster ones, with and without retries. Counts
// the results that say rate-limited (never a TLS failure) and the connections each server
// turned away. Only 127.x is used.
// Run after `npm run build`:  node bench/many-polite.mjs [addresses=20] [ports per address=10]
import net from 'node:net';
import tls from 'node:tls';
import { fmt, makeCert, measure, smtpHandler, writeList } from './many-common.mjs';

const ADDRESSES = Number(process.argv[2] ?? 20);
const PORTS = Number(process.argv[3] ?? 10);
const cert = makeCert();
const smtp = smtpHandler(tls.createSecureContext({ key: cert.key, cert: cert.cert }));

/** 2 tokens a second, at most 2 saved up, per address. */
function bucket() {
  let tokens = 2;
  let at = performance.now();
  const b = { refused: 0, admitted: 0 };
  b.admit = () => {
    const now = performance.now();
    tokens = Math.min(2, tokens + ((now - at) / 1000) * 2);
    at = now;
    if (tokens >= 1) {
      tokens -= 1;
      b.admitted++;
      return true;
    }
    b.refused++;
    return false;
  };
  return b;
}

const buckets = [];
const targets = [];
for (let a = 0; a < ADDRESSES; a++) {
  const address = `127.30.1.${1 + a}`;
  const b = bucket();
  buckets.push(b);
  for (let p = 0; p < PORTS; p++) {
    const server = net.createServer((socket) => {
      if (b.admit()) return smtp.handle(socket);
      socket.on('error', () => {});
      socket.end(`421 4.7.0 mx.bench.example Error: too many connections from ${socket.remoteAddress}\r\n`);
    });
    await new Promise((resolve) => server.listen(0, address, resolve));
    targets.push(`[${address}]:${server.address().port}`);
  }
}
// Interleaved, as a real list is: neighbours are on different addresses.
targets.sort((x, y) => Number(x.split(':')[1].replace(/\D/g, '')) - Number(y.split(':')[1].replace(/\D/g, '')));
const list = writeList('polite.txt', targets);
console.log(`# ${targets.length} targets, ${PORTS} per address on ${ADDRESSES} addresses, each address refusing above 2 new connections/s; -c 50, node ${process.version}`);

const common = ['--level', 'encrypt', '--ehlo', 'bench.example', '--no-progress', '--ndjson', '-c', '50', '-f', list];
const runs = [
  ['default (2/s, --retries 1)', []],
  ['--per-host-rate 20/s --retries 0', ['--per-host-rate', '20/s', '--retries', '0']],
  ['--per-host-rate 20/s (--retries 1)', ['--per-host-rate', '20/s']],
  ['--per-host-rate unlimited --per-host 10 --retries 0', ['--per-host-rate', 'unlimited', '--per-host', '10', '--retries', '0']],
];
for (const [name, flags] of runs) {
  for (const b of buckets) Object.assign(b, { refused: 0, admitted: 0 });
  const r = await measure([...common, ...flags]);
  const refused = buckets.reduce((n, b) => n + b.refused, 0);
  console.log(`${name}: ${r.lines} results ${JSON.stringify(r.statuses)}, wall ${fmt(r.wallMs / 1000, 1)} s, servers turned away ${refused} connections`);
  const summary = r.stderr.split('\n').filter((l) => /^(run|errors):/.test(l));
  if (summary.length) console.log(summary.map((l) => `  | ${l}`).join('\n'));
}
process.exit(0);
