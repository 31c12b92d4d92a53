// The -v transcript, swaks style: "-> " what we sent, "<- " what the server sent, "== " events
// (connect, TLS started, close). Server text is cleaned: a transcript is where a hostile
// banner would otherwise reach the terminal raw.
import type { ProbeResult, TranscriptEntry } from '../types.js';
import { palette } from './color.js';
import { cleanLines } from './text.js';

export interface TranscriptOptions {
  /** Prefix each line with the ms since the probe started: "[  12.4 ms]". */
  timestamps?: boolean;
  color?: boolean;
}

/** One line per transcript line (multi-line entries are split), each ending in "\n". */
export function renderTranscript(entries: readonly TranscriptEntry[], options: TranscriptOptions = {}): string {
  const c = palette(options.color ?? false);
  const style = { '->': c.cyan, '<-': (s: string) => s, '==': c.dim } as const;
  const stamps = entries.map((e) => e.t.toFixed(1));
  const width = Math.max(0, ...stamps.map((s) => s.length));
  let out = '';
  entries.forEach((e, i) => {
    const prefix = options.timestamps ? `[${stamps[i].padStart(width)} ms] ` : '';
    for (const line of cleanLines(e.line)) out += `${prefix}${style[e.dir](`${e.dir} ${line}`)}\n`;
  });
  return out;
}

/** The transcript of a result, or a one-line note when the probe did not record one. */
export function transcriptFor(r: ProbeResult, options: TranscriptOptions = {}): string {
  if (!r.smtp.transcript) return '== no transcript recorded\n';
  return renderTranscript(r.smtp.transcript, options);
}
