// `mxprobe policy FILE` output: one table per entry (the verdict in Postfix's words, each host,
// the entry's lints with line numbers), a summary table, and lint lines as Postfix prints its
// table warnings ("FILE, line N: warning: ..."). Pure: verdicts in, text out; colour only when
// the caller says so.
import type { LintFinding } from '../policy/lint.js';
import type { PolicyVerdict } from '../policy/evaluate.js';
import type { Status } from '../types.js';
import { SCHEMA_VERSION } from '../types.js';
import { palette, type Palette } from './color.js';
import { budget } from './fit.js';
import { boxedOrLines, makeTable } from './layout.js';
import { statusWord, worstStatus } from './status.js';
import { clean, cleanLines } from './text.js';

export interface PolicyRenderOptions {
  color: boolean;
  /** The table's path, as it appears in lint lines. */
  source: string;
}

const LABEL_WIDTH = 18;
const VALUE_WIDTH = 79; // 18 + 79 + 3 borders = 100

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A lint message without the "FILE, line N: " its parser may have put in front. */
function bareMessage(message: string, source: string): string {
  return message.replace(new RegExp(`^${escapeRe(source)}(, line \\d+(-\\d+)?)?: `), '');
}

/** "FILE, line 12: warning: protocols=TLSv1 allows TLSv1 (obsolete; RFC 8996) ... (obsolete-protocols)". */
export function lintLine(f: LintFinding, source: string): string {
  const sev = f.severity === 'critical' ? 'error' : f.severity;
  // A lint message quotes the entry (a 10,000-character host name, twice): bounded like a cell.
  return `${clean(source)}, line ${f.line}: ${sev}: ${budget(cleanLines(bareMessage(f.message, source)).join(' '))} (${clean(f.code)})`;
}

/** Every lint line, in line order, newline-terminated. */
export function renderLintLines(findings: readonly LintFinding[], source: string): string {
  return [...findings].sort((a, b) => a.line - b.line).map((f) => `${lintLine(f, source)}\n`).join('');
}

/** "deliver", "DEFER", "DEFER (invalid entry)", "not probed". */
export function verdictWord(v: Pick<PolicyVerdict, 'state'>): string {
  switch (v.state) {
    case 'deliver': return 'would deliver';
    case 'defer': return 'would DEFER';
    case 'invalid': return 'would DEFER (invalid entry)';
    case 'not-probed': return 'not probed';
  }
}

function statusText(c: Palette, status: Status, text: string): string {
  return c.status(status, text);
}

/** One entry: heading line, then a two-column table. */
export function renderPolicyEntry(v: PolicyVerdict, options: PolicyRenderOptions): string {
  const c = palette(options.color);
  const table = makeTable([LABEL_WIDTH, VALUE_WIDTH], undefined, { compact: true });
  const row = (label: string, value: string) => table.push([c.dim(label), value]);
  row('verdict', `${statusText(c, v.status, statusWord(v.status))} — ${v.state === 'not-probed' ? 'not probed' : `Postfix ${verdictWord(v)}`}`);
  row('because', cleanLines(v.because.replace(/^Postfix would (deliver|defer): /, '')).join(' ') || '-');
  if (v.destination) row('destination', `${clean(v.destination)}${v.keyKind === 'domain' || v.keyKind === 'pattern' ? ' (MX lookup)' : ''}`);
  v.hosts.forEach((h, i) => {
    const word = h.pass ? c.green(h.plaintext ? 'pass (plaintext)' : 'pass') : c.red('FAIL');
    const text = [`${word} ${clean(h.label)}`, clean(h.message), ...(h.detail ? [clean(h.detail)] : [])];
    row(i === 0 ? 'hosts (MX order)' : '', text.join('\n'));
  });
  for (const n of v.notes) row('note', clean(n));
  for (const f of v.lint) {
    const sev = f.severity === 'info' ? 'info' : c.status(f.severity, f.severity === 'critical' ? 'error' : f.severity);
    row(`line ${f.line} ${sev}`, `${cleanLines(bareMessage(f.message, options.source)).join(' ')} (${clean(f.code)})`);
  }
  const span = v.endLine > v.line ? `lines ${v.line}-${v.endLine}` : `line ${v.line}`;
  const heading = `${c.bold(`${span}: ${budget(clean(v.key))}`)} ${budget(clean(v.policy))}`;
  return `${heading}\n${table.toString()}\n`;
}

/** Line | Key | Level | Postfix would | Status, one row per entry (as lines beyond TABLE_ROWS entries). */
export function renderPolicySummary(verdicts: readonly PolicyVerdict[], options: PolicyRenderOptions): string {
  const c = palette(options.color);
  // 6 + 30 + 13 + 35 + 10 + 6 borders = 100
  const rows = verdicts.map((v) => [
    String(v.line),
    clean(v.key),
    v.level ?? clean(v.policy.split(' ')[0] ?? '?'),
    verdictWord(v),
    statusText(c, v.status, statusWord(v.status)),
  ]);
  const table = boxedOrLines([6, 30, 13, 35, 10], ['Line', 'Key', 'Level', 'Postfix', 'Status'].map((h) => c.bold(h)), rows);
  const counts = { deliver: 0, defer: 0, invalid: 0, 'not-probed': 0 };
  for (const v of verdicts) counts[v.state]++;
  const line = `${clean(options.source)}: ${verdicts.length} ${verdicts.length === 1 ? 'entry' : 'entries'}: ${counts.deliver} would deliver, ${counts.defer + counts.invalid} would defer${counts.invalid ? ` (${counts.invalid} invalid)` : ''}, ${counts['not-probed']} not probed`;
  return `${table}\n${line}\n`;
}

/** One entry as JSON (an element of --json's array, a line of --ndjson), with its ProbeResults. */
export function policyJsonEntry(v: PolicyVerdict, source: string): Record<string, unknown> {
  return { schemaVersion: SCHEMA_VERSION, source, ...v };
}

/** -q: one line per entry, "OK line 3 example.com may: Postfix would deliver: …". */
export function renderPolicyQuiet(v: PolicyVerdict, options: PolicyRenderOptions): string {
  const c = palette(options.color);
  return `${c.status(v.status, statusWord(v.status))} line ${v.line} ${clean(v.key)} ${clean(v.policy)} — ${cleanLines(v.because).join(' ')}\n`;
}

/** --format nagios: the worst entry's status, the counts, each failing entry; perfdata the counts. */
export function renderPolicyNagios(verdicts: readonly PolicyVerdict[], source: string): string {
  const status = worstStatus(verdicts.map((v) => v.status));
  const counts = { deliver: 0, defer: 0, invalid: 0, 'not-probed': 0 };
  for (const v of verdicts) counts[v.state]++;
  const problems = verdicts.filter((v) => v.status !== 'ok').map((v) => `${statusWord(v.status)} line ${v.line} ${clean(v.key)}: ${verdictWord(v)}`);
  const head = `SMTP-TLS-POLICY ${statusWord(status)} - ${clean(source)}: ${verdicts.length} entries, ${counts.deliver} would deliver, ${counts.defer + counts.invalid} would defer, ${counts['not-probed']} not probed`;
  const perf = `deliver=${counts.deliver};;;0 defer=${counts.defer + counts.invalid};;;0 not_probed=${counts['not-probed']};;;0`;
  return `${[head, ...problems].join('; ').replace(/\|/g, '/')} | ${perf}\n`;
}
