// `mxprobe scan` in the short formats every command shares: -q (the verdict line) and
// --format nagios (the status line with the findings and perfdata).
import type { ScanResult } from '../types.js';
import { palette } from './color.js';
import { statusWord } from './status.js';
import { clean } from './text.js';
import { scanVerdictLine } from './scan.js';

export function renderScanQuiet(r: ScanResult, options: { color: boolean }): string {
  return `${scanVerdictLine(r, palette(options.color))}\n`;
}

export function renderScanNagios(r: ScanResult): string {
  const problems = r.findings.filter((f) => f.severity !== 'info').map((f) => `${clean(f.message)} (${clean(f.code)})`);
  const accepted = r.protocols.filter((p) => p.accepted).map((p) => p.protocol).join(' ') || 'no protocol accepted';
  const head = `SMTP-TLS-SCAN ${statusWord(r.status)} - ${clean(r.host)}:${r.port} ${accepted}${r.incomplete ? ' (incomplete)' : ''}`;
  const critical = r.findings.filter((f) => f.severity === 'critical').length;
  const warning = r.findings.filter((f) => f.severity === 'warning').length;
  const perf = `time=${(r.timingMs.total / 1000).toFixed(3)}s;;;0 critical=${critical};;;0 warning=${warning};;;0 connections=${r.attempts.connections};;;0`;
  return `${[head, ...problems].join('; ').replace(/\|/g, '/')} | ${perf}\n`;
}
