#!/usr/bin/env node
// Where one probe's wall time goes, floor client vs mxprobe, against the fast fixture and the
// private Postfix: each process runs with bench/phase-hook.cjs preloaded, which marks Node ready,
// first connect(), that socket's close, and exit (ms since process start). Medians of N runs.
//   npm run build && node bench/phases.mjs [--runs 20] [--cli DIR] [--extra 'name=node file.js'...]
// The hook itself adds a little (a CommonJS preload), equally to every command.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, machine, median, snapshotBuild, startFixture, startPostfix, stopAll } from './single-common.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const RUNS = Number(opt('--runs', '20'));
const cliDir = opt('--cli') ?? snapshotBuild('phases');
// --extra 'label=node /path/cli.js': more mxprobe builds to compare (same arguments as mxprobe).
const extras = args.flatMap((a, i) => (a === '--extra' ? [args[i + 1]] : [])).map((s) => s.split('=')).map(([label, cmd]) => ({ label, argv: cmd.split(' ') }));
const HOOK = join(ROOT, 'bench/phase-hook.cjs');

function once(argv) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const [cmd, ...rest] = argv;
    const child = spawn(cmd, cmd === 'node' ? ['-r', HOOK, ...rest] : rest, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let marks = '';
    let err = '';
    child.stdio[3].setEncoding('utf8').on('data', (s) => (marks += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (err += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - t) / 1e6;
      if (code !== 0) return reject(new Error(`${argv.join(' ')}: exit ${code} ${err}`));
      resolve({ wall, ...JSON.parse(marks || '{}') });
    });
  });
}

const fixture = await startFixture();
const postfix = await startPostfix();
try {
  const rows = [];
  const node = [];
  for (let i = 0; i < RUNS; i++) node.push((await once(['node', '-e', '0'])).wall);
  for (const { tag, port, caFile } of [
    { tag: 'fixture', port: fixture.ports.starttls, caFile: fixture.caFile },
    { tag: 'postfix', port: postfix.ports.good, caFile: postfix.caFile },
  ]) {
    const mx = ['--ca-file', caFile, '--servername', 'mx.test.example', '--ehlo', 'bench.example', `[127.0.0.1]:${port}`];
    const commands = [
      { label: 'floor', argv: ['node', join(ROOT, 'bench/floor-client.mjs'), '127.0.0.1', String(port), '--ca', caFile, '--servername', 'mx.test.example'] },
      { label: 'mxprobe -q', argv: ['node', join(cliDir, 'bin/mxprobe.js'), '-q', ...mx] },
      { label: 'mxprobe table', argv: ['node', join(cliDir, 'bin/mxprobe.js'), ...mx] },
      ...extras.flatMap((e) => [{ label: `${e.label} -q`, argv: [...e.argv, '-q', ...mx] }, { label: `${e.label} table`, argv: [...e.argv, ...mx] }]),
    ];
    const samples = new Map(commands.map((c) => [c.label, []]));
    // Interleaved, so load changes hit every command alike.
    for (let i = 0; i < RUNS; i++) for (const c of commands) samples.get(c.label).push(await once(c.argv));
    for (const c of commands) {
      const s = samples.get(c.label);
      const m = (f) => median(s.map(f));
      rows.push({ tag, label: c.label, wall: m((x) => x.wall), ready: m((x) => x.hook), load: m((x) => x.connect - x.hook), talk: m((x) => x.close - x.connect), exit: m((x) => x.exit - x.close) });
    }
  }
  const mm = machine();
  const lines = [
    `# phases: median of ${RUNS}, ms since process start; ${mm.date} node ${mm.node}; load ${mm.load}; node -e 0 wall ${median(node).toFixed(1)} ms`,
    '| target | client | wall | node ready | ready → connect() (load + set-up) | connect → close (conversation) | close → exit | spawn+exit overhead (wall − exit mark) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.tag} | ${r.label} | ${r.wall.toFixed(1)} | ${r.ready.toFixed(1)} | ${r.load.toFixed(1)} | ${r.talk.toFixed(1)} | ${r.exit.toFixed(1)} | ${(r.wall - r.ready - r.load - r.talk - r.exit).toFixed(1)} |`),
  ];
  console.log(lines.join('\n'));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, `bench/results/phases-${mm.date.replace(/[:.]/g, '-')}.md`), `${lines.join('\n')}\n`);
} finally {
  await stopAll();
}
