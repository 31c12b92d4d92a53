#!/usr/bin/env node
// Round trips of one whole mxprobe process through a latency-injecting relay :
// each chunk is delayed RTT/2 in each direction, and the relay connects upstream only 1.5 RTT
// after accepting (relayHandler in many-common.mjs), so the banner arrives 2 RTT after the
// client's connect(), as on a real path (SYN, SYN-ACK, ACK, then the banner's one-way trip).
// Counts wall/RTT (nothing subtracted) and (wall - `node -e 0`)/RTT for
//   (a) a --to probe: STARTTLS, TLS 1.3, PIPELINING, MAIL/RCPT accepted (fast fixture), next to swaks
//   (b) a TLS-only probe (STARTTLS, EHLO inside TLS, QUIT), next to the floor client, swaks and
//       posttls-finger, against the fixture and against the private Postfix
// and the same probes with the TLS 1.3 first-ticket wait (src/tls/settle.ts) switched off, in a
// private bundle of src/cli.ts (env MXPROBE_BENCH_NO_SETTLE=1; src/ is not changed).
//   npm run build && node bench/relay.mjs [--rtt 200] [--runs 5]
import net from 'node:net';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { relayHandler } from './many-common.mjs';
import { ROOT, machine, median, run, snapshotBuild, startFixture, startPostfix, stopAll } from './single-common.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const RTT = Number(opt('--rtt', '200'));
const RUNS = Number(opt('--runs', '5'));
const cli = join(snapshotBuild('relay'), 'bin/mxprobe.js');

// The same bundle as scripts/build.mjs, with an env switch in front of the first-ticket wait.
const noSettleCli = join(ROOT, 'node_modules/.cache/mxprobe-bench-single/cli-no-settle.mjs');
await build({
  entryPoints: [join(ROOT, 'src/cli.ts')], outfile: noSettleCli, bundle: true, platform: 'node', format: 'esm', target: 'node20', legalComments: 'none', logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  plugins: [{
    name: 'no-settle',
    setup(b) {
      b.onLoad({ filter: /src[\\/]tls[\\/]settle\.ts$/ }, (a) => {
        const src = readFileSync(a.path, 'utf8').replace(/(export function settleTls13\([^)]*\): Promise<void> \{)/,
          "$1\n  if (process.env.MXPROBE_BENCH_NO_SETTLE === '1') return Promise.resolve();");
        if (!src.includes('MXPROBE_BENCH_NO_SETTLE')) throw new Error('settleTls13 signature changed: update bench/relay.mjs');
        return { contents: src, loader: 'ts' };
      });
    },
  }],
});

async function relayTo(port) {
  const server = net.createServer(relayHandler({ address: '127.0.0.1', port }, RTT, { connectDelayMs: 1.5 * RTT }));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Median wall time (ms) of RUNS sequential runs of argv (async spawn: the relay lives here). */
async function wall(argv, env = {}) {
  const times = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    last = await run(argv[0], argv.slice(1), { env: { ...process.env, ...env } });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (last.code !== 0 && last.code !== null) throw new Error(`${argv.join(' ')} exited ${last.code}: ${last.stderr}${last.stdout}`);
  }
  return { ms: median(times), min: Math.min(...times), out: last.stdout };
}

const fixture = await startFixture();
const postfix = await startPostfix();
const relays = [];
try {
  const node = await wall(['node', '-e', '0']);
  const rows = [];
  const add = (group, name, w, extra = '') => rows.push({ group, name, ms: w.ms, min: w.min, rtt: w.ms / RTT, net: (w.ms - node.ms) / RTT, extra });
  const timing = (w) => {
    try {
      const j = JSON.parse(w.out);
      const t = (Array.isArray(j) ? j[0] : j).timingMs;
      return Object.entries(t).map(([k, v]) => `${k}=${(v / RTT).toFixed(2)}`).join(' ');
    } catch { return ''; }
  };
  const targets = [
    { tag: 'fixture', port: fixture.ports.starttls, caFile: fixture.caFile },
    { tag: 'postfix', port: postfix.ports.good, caFile: postfix.caFile },
  ];
  for (const { tag, port, caFile } of targets) {
    const relay = await relayTo(port);
    relays.push(relay);
    const dest = `[127.0.0.1]:${relay.address().port}`;
    const rport = String(relay.address().port);
    const common = ['--ca-file', caFile, '--servername', 'mx.test.example', '--ehlo', 'bench.example', '--timeout', '10s'];
    const to = ['--from', 'bench@bench.example', '--to', 'postmaster@test.example'];
    const mx = (extra, env) => wall(['node', cli, ...common, ...extra, dest], env);
    const mxNoSettle = (extra) => wall(['node', noSettleCli, ...common, ...extra, dest], { MXPROBE_BENCH_NO_SETTLE: '1' });
    if (tag === 'fixture') {
      let w = await mx([...to, '--json']); add(`${tag} --to`, 'mxprobe --to', w, timing(w));
      w = await mxNoSettle([...to, '--json']); add(`${tag} --to`, 'mxprobe --to, no ticket wait', w, timing(w));
      w = await wall(['swaks', '--server', `127.0.0.1:${rport}`, '--tls', '--ehlo', 'bench.example', '--from', to[1], '--to', to[3], '--quit-after', 'RCPT', '--silent', '2']);
      add(`${tag} --to`, 'swaks --quit-after RCPT', w);
    }
    let w = await mx(['--json']); add(`${tag} TLS-only`, 'mxprobe', w, timing(w));
    w = await mxNoSettle(['--json']); add(`${tag} TLS-only`, 'mxprobe, no ticket wait', w, timing(w));
    w = await wall(['node', join(ROOT, 'bench/floor-client.mjs'), '127.0.0.1', rport, '--ca', caFile, '--servername', 'mx.test.example']); add(`${tag} TLS-only`, 'floor', w);
    w = await wall(['node', join(ROOT, 'bench/floor-client.mjs'), '127.0.0.1', rport, '--ca', caFile, '--servername', 'mx.test.example', '--no-settle']); add(`${tag} TLS-only`, 'floor --no-settle', w);
    w = await wall(['swaks', '--server', `127.0.0.1:${rport}`, '--tls', '--quit-after', 'EHLO', '--ehlo', 'bench.example', '--silent', '2']); add(`${tag} TLS-only`, 'swaks --quit-after EHLO', w);
    w = await wall(['posttls-finger', '-c', '-l', 'may', '-F', caFile, '-s', 'mx.test.example', `[127.0.0.1]:${rport}`]); add(`${tag} TLS-only`, 'posttls-finger', w);
  }
  const m = machine();
  const lines = [
    `# relay: RTT ${RTT} ms, banner at 2 RTT, median of ${RUNS} whole-process runs; ${m.date} node ${m.node}, Postfix ${postfix.version}, load ${m.load}`,
    `# node -e 0: ${node.ms.toFixed(0)} ms = ${(node.ms / RTT).toFixed(2)} RTT`,
    '| probe | client | wall ms (min) | wall/RTT | (wall - node -e 0)/RTT | mxprobe timingMs in RTT |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.group} | ${r.name} | ${r.ms.toFixed(0)} (${r.min.toFixed(0)}) | ${r.rtt.toFixed(2)} | ${r.net.toFixed(2)} | ${r.extra} |`),
  ];
  console.log(lines.join('\n'));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, `bench/results/relay-${m.date.replace(/[:.]/g, '-')}.md`), `${lines.join('\n')}\n`);
} finally {
  for (const r of relays) r.close();
  await stopAll();
}
