// The summary bench/many-profile.mjs prints, for any V8 .cpuprofile of an unminified bundle:
// self time grouped by where the code lives, the top functions, and mxprobe's functions by
// inclusive time, per probe. Also usable alone:
//   node bench/many-profile-summary.mjs PROFILE.cpuprofile BUNDLE.cjs PROBES
import { readFileSync } from 'node:fs';
import { fmt } from './many-common.mjs';

export function summarizeProfile(profileFile, bundle, probes) {
  // esbuild marks each module's start with a "// src/file.ts" line: line number → source file.
  const markers = readFileSync(bundle, 'utf8').split('\n').flatMap((l, i) => (/^\/\/ \S+\.(ts|c?js|mjs)$/.test(l) ? [[i, l.slice(3).replace(/^.*?\/(src|node_modules)\//, '$1/')]] : []));
  const sourceOf = (line) => {
    let file = '?';
    for (const [at, f] of markers) if (at <= line) file = f; else break;
    return file;
  };
  const profile = JSON.parse(readFileSync(profileFile, 'utf8'));
  const TARGETS = probes;
  const out = [];
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const group = (url, fn) => {
    if (fn === '(idle)') return 'idle';
    if (fn === '(garbage collector)') return 'GC';
    if (url.endsWith('/cli.cjs')) return 'mxprobe';
    if (url.includes('node_modules')) return 'dependencies';
    if (/_tls_|tls|crypto/.test(url)) return 'Node TLS/crypto JS';
    if (/net|stream|socket/.test(url)) return 'Node net/streams';
    if (fn === '(program)') return 'native, unattributed';
    if (!url && !fn.startsWith('(')) return 'Node native bindings';
    return 'other Node internals';
  };
  const self = new Map();
  const fns = new Map();
  // Inclusive time of the mxprobe functions (a function counted once per sample).
  const inclusive = new Map();
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const dt = profile.timeDeltas[i] / 1000;
    const g = group(n.callFrame.url, n.callFrame.functionName);
    self.set(g, (self.get(g) ?? 0) + dt);
    const where = n.callFrame.url.endsWith('/cli.cjs') ? sourceOf(n.callFrame.lineNumber) : `${n.callFrame.url.replace(/^.*\/internal\//, 'internal/')}:${n.callFrame.lineNumber + 1}`;
    const k = `${n.callFrame.functionName || '(anonymous)'} ${where}`;
    fns.set(k, (fns.get(k) ?? 0) + dt);
    const seen = new Set();
    for (let p = id; p !== undefined; p = parent.get(p)) {
      const f = byId.get(p).callFrame;
      if (!f.url.endsWith('/cli.cjs')) continue;
      const key = `${f.functionName || '(anonymous)'} ${sourceOf(f.lineNumber)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
  });
  const busy = [...self].filter(([g]) => g !== 'idle').reduce((a, [, v]) => a + v, 0);
  const per = (v) => fmt(v / TARGETS, 3);
  out.push(`busy (sampled) ${per(busy)} ms/probe`);
  out.push('| where | ms/probe | share of busy |\n|---|---|---|');
  for (const [g, v] of [...self].sort((a, b) => b[1] - a[1])) out.push(`| ${g} | ${per(v)} | ${g === 'idle' ? '' : `${fmt((v / busy) * 100, 0)}%`} |`);
  out.push('\ntop functions by self time (ms/probe):');
  for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 25)) out.push(`  ${per(v)}  ${k}`);
  out.push('\nmxprobe functions by inclusive time (ms/probe):');
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 40)) out.push(`  ${per(v)}  ${k}`);
  return out.join('\n');
}

if (process.argv[1] === new URL(import.meta.url).pathname) console.log(summarizeProfile(process.argv[2], process.argv[3], Number(process.argv[4])));
