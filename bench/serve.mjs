#!/usr/bin/env node
// `mxprobe serve` under load: C concurrent scrapes (default 50) of one STARTTLS target (the fast
// fixture, TLS 1.3) for R rounds. Per scrape: the client's HTTP round trip, the probe's own time
// (mxprobe_phase_duration_seconds{phase="total"} from the answer) and the exporter's time for the
// whole scrape (mxprobe_probe_duration_seconds). Overhead = round trip − probe time (target:
// under 5 ms), split into the exporter's own code (scrape − probe) and the rest (HTTP, and the
// wait of a request arriving at a process busy with 50 handshakes: the event-loop delay is
// printed). For context, the same rounds through probe() in a process of its own.
//   node bench/serve.mjs [--concurrency 50] [--rounds 20]
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, machine, snapshotBuild, startFixture, stopAll } from './single-common.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : def);
const C = opt('concurrency', 50);
const ROUNDS = opt('rounds', 20);

const build = snapshotBuild('serve');
const fixture = await startFixture();
const childArgs = (mode) => [join(ROOT, 'bench/serve-child.mjs'), mode, build, fixture.caFile, fixture.servername, String(C), String(ROUNDS), String(fixture.ports.starttls)];
function startChild(mode) {
  const child = spawn(process.execPath, childArgs(mode), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.setEncoding('utf8').on('data', (s) => (childStderr += s));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve-child ${mode} exited ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, ...JSON.parse(line) }));
  });
}
let childStderr = '';
const direct = (await startChild('direct')).samples;
const { child, url } = await startChild('serve');
const target = encodeURIComponent(`[127.0.0.1]:${fixture.ports.starttls}`);
const agent = new http.Agent({ keepAlive: true, maxSockets: C });

function scrape() {
  return new Promise((resolve, reject) => {
    // Timed from when the request left for the kernel ('finish'): issuing 50 requests costs the
    // client itself several ms, which is not the exporter's.
    let t0 = process.hrtime.bigint();
    const req = http.get(`${url}/probe?target=${target}`, { agent, headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s) => (body += s)).on('end', () => {
        const rtt = Number(process.hrtime.bigint() - t0) / 1e6;
        const num = (re) => Number(re.exec(body)?.[1]) * 1000;
        const probe = num(/^mxprobe_phase_duration_seconds\{[^}]*phase="total"\} (\S+)$/m);
        const scrapeMs = num(/^mxprobe_probe_duration_seconds (\S+)$/m);
        const success = /^mxprobe_success\{[^}]*\} 1$/m.test(body);
        resolve({ rtt, probe, scrape: scrapeMs, success });
      });
    });
    req.on('finish', () => (t0 = process.hrtime.bigint()));
    req.on('error', reject);
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (x) => x.toFixed(2);

// Warm-up: JIT, TLS session setup, the agent's sockets.
for (let i = 0; i < 3; i++) await Promise.all(Array.from({ length: C }, scrape));
const samples = [];
const t = Date.now();
for (let r = 0; r < ROUNDS; r++) samples.push(...(await Promise.all(Array.from({ length: C }, scrape))));
const wall = (Date.now() - t) / 1000;
const failed = samples.filter((s) => !s.success).length;
const overhead = samples.map((s) => s.rtt - s.probe);
const inside = samples.map((s) => s.scrape - s.probe);
const http_ = samples.map((s) => s.rtt - s.scrape);
const m = machine();
const directMs = direct.map((s) => s.ms);
const lines = [
  `serve: ${C} concurrent scrapes × ${ROUNDS} rounds of one STARTTLS target (fast fixture, TLS 1.3), ${samples.length} scrapes in ${wall.toFixed(1)} s (${(samples.length / wall).toFixed(0)}/s), ${failed} not successful`,
  `machine: node ${m.node}, load ${m.load}`,
  '',
  '| ms | median | p90 | p99 | max |',
  '|---|---|---|---|---|',
  ...[['round trip (client)', samples.map((s) => s.rtt)], ['probe total (its own timing)', samples.map((s) => s.probe)], ['overhead: round trip − probe', overhead], ['  in the exporter (scrape − probe)', inside], ['  HTTP + client (round trip − scrape)', http_]]
    .map(([name, xs]) => `| ${name} | ${fmt(pct(xs, 50))} | ${fmt(pct(xs, 90))} | ${fmt(pct(xs, 99))} | ${fmt(Math.max(...xs))} |`),
  ...[[`probe() direct, ${C} at a time (own process): call`, directMs], ['  direct: call − probe total (the same wait, no HTTP)', direct.map((s) => s.ms - s.total)]]
    .map(([name, xs]) => `| ${name} | ${fmt(pct(xs, 50))} | ${fmt(pct(xs, 90))} | ${fmt(pct(xs, 99))} | ${fmt(Math.max(...xs))} |`),
];
console.log(lines.join('\n'));
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results', `serve-${m.date.replace(/[:.]/g, '-')}.md`), `${lines.join('\n')}\n`);
agent.destroy();
child.removeAllListeners('exit');
await new Promise((resolve) => {
  child.once('exit', resolve);
  child.kill('SIGTERM');
});
const stats = childStderr.split('\n').find((l) => l.startsWith('{"loopDelayMs"'));
if (stats) {
  const { loopDelayMs: d, cpuCores } = JSON.parse(stats);
  const line = `exporter process: event-loop delay p50 ${fmt(d.p50)} / p90 ${fmt(d.p90)} / p99 ${fmt(d.p99)} ms, CPU ${cpuCores.toFixed(2)} cores over the run`;
  console.log(line);
  writeFileSync(join(ROOT, 'bench/results', `serve-${m.date.replace(/[:.]/g, '-')}.md`), `${lines.join('\n')}\n${line}\n`);
}
await stopAll();
