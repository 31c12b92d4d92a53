// `mxprobe postfix` as text: the verdict line, then per listener one table "check | parameter |
// configured | served | verdict" and its findings with the likely cause, then the
// configuration-wide findings (lint, postconf's warnings, the client side). JSON is the report
// object itself. Pure: a PostfixReport in, a string out; colour only when asked.
import type { PostfixFinding, PostfixListener, PostfixReport, RowVerdict } from '../postfix/types.js';
import { palette, type Palette } from './color.js';
import { jsonReplacer } from './json.js';
import { safeJson } from './sanitize.js';
import { makeTable } from './layout.js';
import { statusWord } from './status.js';
import { clean } from './text.js';

export interface PostfixRenderOptions {
  color: boolean;
}

const COLUMNS = [15, 31, 19, 19, 10]; // 94 + 6 borders = 100 columns

function counts(findings: PostfixFinding[]): string {
  const n = (s: string) => findings.filter((f) => f.severity === s).length;
  const parts = [['critical', n('critical')], ['warning', n('warning')]].filter(([, k]) => k).map(([s, k]) => `${k} ${s}`);
  return parts.length ? parts.join(', ') : 'no problems';
}

export function postfixVerdictLine(r: PostfixReport, c: Palette = palette(false)): string {
  const all = [...r.findings, ...r.listeners.flatMap((l) => l.findings)];
  const where = `Postfix ${r.postfixVersion ?? '(version unknown)'} ${clean(r.configDir)}`;
  const what = `${r.listeners.length} listener${r.listeners.length === 1 ? '' : 's'}${r.offline ? ' (offline)' : ''}`;
  return `${c.status(r.status, statusWord(r.status))} ${where}: ${what} — ${counts(all)}`;
}

function verdictCell(v: RowVerdict, c: Palette): string {
  switch (v) {
    case 'ok': return c.green('ok');
    case 'differs': return c.red('DIFFERS');
    case 'failed': return c.red('failed');
    case 'not-visible': return c.dim('n/a');
    default: return c.dim('—');
  }
}

function findingLines(findings: PostfixFinding[], c: Palette): string[] {
  const out: string[] = [];
  const order = { critical: 0, warning: 1, info: 2 } as const;
  for (const f of [...findings].sort((a, b) => order[a.severity] - order[b.severity])) {
    const sev = f.severity === 'critical' ? c.red('CRITICAL') : f.severity === 'warning' ? c.yellow('WARNING ') : c.dim('INFO    ');
    out.push(`  ${sev} ${clean(f.message)}${f.parameter ? c.dim(` [${clean(f.parameter)}]`) : ''}`);
    if (f.cause) out.push(`           ${c.dim('→')} ${clean(f.cause)}`);
  }
  return out;
}

function listenerBlock(l: PostfixListener, c: Palette): string[] {
  const s = l.settings;
  const head = `${clean(l.label)}  ${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}  ${l.mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'}  level ${s.level}${l.command === 'postscreen' ? '  (postscreen)' : ''}`;
  const out = [`${c.bold(c.cyan(head))} — ${c.status(l.status, statusWord(l.status))}`];
  if (l.bindAddress !== l.address) out.push(c.dim(`  master.cf ${clean(l.service)}, binds ${clean(l.bindAddress)}`));
  const table = makeTable(COLUMNS, ['check', 'parameter', 'configured', 'served', 'verdict'], { compact: true });
  for (const r of l.rows) {
    table.push([clean(r.check), clean(r.parameter ?? ''), clean(r.configured), r.served === null ? c.dim(r.verdict === 'not-probed' ? 'not probed' : '') : clean(r.served), verdictCell(r.verdict, c)]);
  }
  out.push(table.toString());
  const notes = l.rows.filter((r) => r.note).map((r) => c.dim(`  ${clean(r.check)}: ${clean(r.note!)}`));
  out.push(...notes, ...findingLines(l.findings, c));
  return out;
}

export function renderPostfix(r: PostfixReport, options: PostfixRenderOptions): string {
  const c = palette(options.color);
  const out: string[] = [postfixVerdictLine(r, c)];
  out.push(c.dim(`  configuration read with ${r.source === 'postconf' ? 'postconf' : 'no postconf (main.cf/master.cf directly)'}; certificate names checked: ${r.names.map(clean).join(', ') || 'none'}`));
  for (const n of r.notes) out.push(c.dim(`  note: ${clean(n)}`));
  // A note that is also a finding (no postconf) is said once, here at the top.
  const findings = r.findings.filter((f) => !r.notes.includes(f.message));
  for (const l of r.listeners) out.push('', ...listenerBlock(l, c));
  out.push('', c.bold(c.cyan('Configuration')));
  out.push(`  SMTP client: smtp_tls_security_level = ${clean(r.client.level)}${r.client.policyMaps.length ? `; smtp_tls_policy_maps = ${r.client.policyMaps.map((p) => clean(p.map)).join(', ')}` : ''}`);
  out.push(...(findings.length ? findingLines(findings, c) : ['  no findings']));
  out.push('', c.dim(`  ${r.listeners.reduce((n, l) => n + (l.served?.connections ?? 0), 0)} connections; config ${r.timingMs.config} ms, files ${r.timingMs.files} ms, probes ${r.timingMs.probe} ms, total ${r.timingMs.total} ms`));
  return `${out.join('\n')}\n`;
}

/** The report as JSON (the PostfixReport shape, nothing added; strings terminal-safe as a probe's). */
export function postfixJson(r: PostfixReport): string {
  return `${safeJson(JSON.stringify(r, jsonReplacer, 2))}\n`;
}
