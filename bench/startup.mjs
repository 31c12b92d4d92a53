#!/usr/bin/env node
// Whole-process time of one STARTTLS probe , in ONE hyperfine run: `node -e 0`,
// the floor client (bench/floor-client.mjs), mxprobe -q, mxprobe with its table, swaks and
// posttls-finger, each against (a) the fast loopback fixture (raw STARTTLS server, test PKI,
// TLS 1.3) and (b) the private Postfix (scenario `good`: TLS 1.3 negotiated). Prints medians and
// the ratios; hyperfine's JSON goes to bench/results/startup-<time>.json.
//   npm run build && node bench/startup.mjs [--runs 30] [--warmup 3] [--cli DIR]
// --cli DIR: a directory holding bin/mxprobe.js + dist/ (default: a snapshot of the current build).
// --compare DIR: another such build (say, of main) timed in the same run: "mxprobe table (compare)".
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, machine, run, snapshotBuild, startFixture, startPostfix, stopAll } from './single-common.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const runs = opt('--runs', '30');
const warmup = opt('--warmup', '3');
const cliDir = opt('--cli') ?? snapshotBuild('startup');
const mxprobe = `node ${join(cliDir, 'bin/mxprobe.js')}`;
const compareDir = opt('--compare');
// swaks needs Perl's Net::SSLeay for --tls; without it the peer is left out (and said so).
const swaksTls = spawnSync('perl', ['-MNet::SSLeay', '-e', '1']).status === 0;
if (!swaksTls) console.error('startup: swaks left out (Perl Net::SSLeay missing: no --tls)');

const fixture = await startFixture();
const postfix = await startPostfix();
try {
  const targets = [
    { tag: 'fixture', port: fixture.ports.starttls, caFile: fixture.caFile },
    { tag: 'postfix', port: postfix.ports.good, caFile: postfix.caFile },
  ];
  const commands = [['node -e 0', 'node -e 0']];
  for (const { tag, port, caFile } of targets) {
    const common = `--ca-file ${caFile} --servername mx.test.example [127.0.0.1]:${port}`;
    commands.push(
      [`floor ${tag}`, `node ${ROOT}bench/floor-client.mjs 127.0.0.1 ${port} --ca ${caFile} --servername mx.test.example`],
      // The TLS 1.3 first-ticket wait switched off: shows the ~43 ms Nagle/delayed-ACK stall against Postfix.
      [`floor --no-settle ${tag}`, `node ${ROOT}bench/floor-client.mjs 127.0.0.1 ${port} --ca ${caFile} --servername mx.test.example --no-settle`],
      [`mxprobe -q ${tag}`, `${mxprobe} -q ${common}`],
      [`mxprobe table ${tag}`, `${mxprobe} ${common}`],
      ...(compareDir ? [[`mxprobe table (compare) ${tag}`, `node ${join(compareDir, 'bin/mxprobe.js')} ${common}`]] : []),
      // --quit-after EHLO: the second EHLO, inside TLS (the same dialog as the probe and the floor).
      ...(swaksTls ? [[`swaks ${tag}`, `swaks --server 127.0.0.1:${port} --tls --quit-after EHLO --ehlo bench.example --silent 2`]] : []),
      [`posttls-finger ${tag}`, `posttls-finger -c -l may -F ${caFile} -s mx.test.example [127.0.0.1]:${port}`],
    );
  }
  // Each command once first: a failing one would otherwise spoil the whole run silently.
  for (const [name, cmd] of commands) {
    const r = await run('sh', ['-c', cmd]);
    if (r.code !== 0) throw new Error(`${name} exited ${r.code}: ${r.stderr || r.stdout}`);
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const jsonFile = join(ROOT, `bench/results/startup-${stamp}.json`);
  const before = machine();
  const hf = await run('hyperfine', ['-N', '--warmup', warmup, '--runs', runs, '--style', 'none', '--export-json', jsonFile,
    ...commands.flatMap(([name, cmd]) => ['-n', name, cmd])], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (hf.code !== 0) throw new Error(`hyperfine exited ${hf.code}`);
  const after = machine();
  const med = Object.fromEntries(JSON.parse(readFileSync(jsonFile, 'utf8')).results.map((r) => [r.command, r.median * 1000]));
  const ms = (n) => (med[n] === undefined ? 'n/a' : `${med[n].toFixed(1)} ms`);
  const lines = [
    `# startup: one STARTTLS probe, whole process, median of ${runs} (hyperfine -N, warmup ${warmup})`,
    `# ${before.date} node ${before.node}, Postfix ${postfix.version}; load before ${before.load}, after ${after.load}`,
    `node -e 0: ${ms('node -e 0')}`,
  ];
  for (const { tag } of targets) {
    const r = (a, b) => (med[`${a} ${tag}`] === undefined ? 'n/a' : (med[`${a} ${tag}`] / (b === 'node -e 0' ? med[b] : med[`${b} ${tag}`])).toFixed(2));
    lines.push(
      `[${tag}] floor ${ms(`floor ${tag}`)} (--no-settle ${ms(`floor --no-settle ${tag}`)}), mxprobe -q ${ms(`mxprobe -q ${tag}`)}, mxprobe table ${ms(`mxprobe table ${tag}`)}, swaks ${ms(`swaks ${tag}`)}, posttls-finger ${ms(`posttls-finger ${tag}`)}`,
      ...(compareDir ? [`[${tag}] compare build: table ${ms(`mxprobe table (compare) ${tag}`)}, table/floor ${r('mxprobe table (compare)', 'floor')}`] : []),
      `[${tag}] mxprobe -q/floor ${r('mxprobe -q', 'floor')}, table/floor ${r('mxprobe table', 'floor')} (target <= 1.1); ` +
        `mxprobe -q/node ${r('mxprobe -q', 'node -e 0')}, table/node ${r('mxprobe table', 'node -e 0')}, floor/node ${r('floor', 'node -e 0')}, ` +
        `swaks/node ${r('swaks', 'node -e 0')}, posttls-finger/node ${r('posttls-finger', 'node -e 0')}`,
    );
  }
  lines.push(`# json: ${jsonFile.slice(ROOT.length)}`);
  console.log(lines.join('\n'));
  writeFileSync(jsonFile.replace(/\.json$/, '.txt'), `${lines.join('\n')}\n`);
} finally {
  await stopAll();
}
