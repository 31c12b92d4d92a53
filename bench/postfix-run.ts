// The measurement behind bench/postfix.mjs: a private Postfix with the three MTA listeners
// (fixtures/postfix/listeners.ts), then, alternating, checkPostfix() of the whole instance and
// scan() of one listener, in this process (no Node start-up in either), N times each after one
// warm-up of each. Prints one JSON line.
import { rmSync } from 'node:fs';
import { createPki } from '../fixtures/pki.js';
import { startPostfix } from '../fixtures/postfix/instance.js';
import { checkPostfix, scan } from '../src/index.js';

const runs = Number(process.argv[2] ?? 7);
const pki = await createPki();
const pf = await startPostfix({ pki, listeners: ['smtp', 'submission', 'smtps'] });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const check = () => checkPostfix({ configDir: pf.configDir, caFile: pf.caFile, ehlo: 'bench.test.example' });
  const scanOne = () => scan(pf.listeners.smtp.destination, { servername: 'mx.test.example', ehlo: 'bench.test.example' });
  await check();
  await scanOne();
  const checkMs: number[] = [];
  const scanMs: number[] = [];
  const parts: { config: number; files: number; probe: number }[] = [];
  let connections = { check: 0, scan: 0 };
  let status = '';
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const r = await check();
    checkMs.push(performance.now() - t);
    parts.push(r.timingMs);
    status = r.status;
    connections.check = r.listeners.reduce((n, l) => n + (l.served?.connections ?? 0), 0);
    t = performance.now();
    const s = await scanOne();
    scanMs.push(performance.now() - t);
    connections.scan = s.attempts.connections;
  }
  const offline = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await checkPostfix({ configDir: pf.configDir, caFile: pf.caFile, offline: true });
    offline.push(performance.now() - t);
  }
  process.stdout.write(`${JSON.stringify({
    runs, version: pf.version, status,
    check: { median: median(checkMs), min: Math.min(...checkMs), max: Math.max(...checkMs) },
    scan: { median: median(scanMs), min: Math.min(...scanMs), max: Math.max(...scanMs) },
    offline: { median: median(offline) },
    parts: { config: median(parts.map((p) => p.config)), files: median(parts.map((p) => p.files)), probe: median(parts.map((p) => p.probe)) },
    connections,
  })}\n`);
} finally {
  await pf.stop();
  rmSync(pki.dir, { recursive: true, force: true });
}
