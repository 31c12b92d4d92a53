// Logical lines of a tls_policy source, as readllines() (postfix/src/util/readlline.c) reads them:
// a logical line continues while the next physical line starts with whitespace; empty lines,
// whitespace-only lines and lines whose first non-blank character is "#" are dropped, even between
// a line and its continuation. "#" after data is data ("example.com may # x" has the attribute
// "#", which Postfix rejects). CR is whitespace like any other, so CRLF files work.
import type { PolicyProblem } from './table-types.js';

export const MAX_LINE_BYTES = 64 * 1024;

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
export const SPACE = /[ \t\n\v\f\r]/;

interface PhysLine { start: number; end: number; n: number }
export interface LogicalLine { first: number; last: number; text: string | null; reason?: PolicyProblem }

function isBlankOrComment(buf: Uint8Array, l: PhysLine): boolean {
  let i = l.start;
  while (i < l.end && isSpace(buf[i])) i++;
  return i === l.end || buf[i] === 0x23;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * readllines(): join continuation lines, drop comments and blank lines, keep line numbers.
 * A generator over byte offsets, so a file of ten million empty lines costs no memory.
 */
export function* logicalLines(buf: Uint8Array, source: string): Generator<LogicalLine> {
  let pos = 0;
  let n = 0;
  // A final "\n" does not start another line (readllines counts that way).
  const nextPhys = (): PhysLine | null => {
    if (pos >= buf.length) return null;
    const nl = buf.indexOf(0x0a, pos);
    const l = { start: pos, end: nl < 0 ? buf.length : nl, n: ++n };
    pos = nl < 0 ? buf.length : nl + 1;
    return l;
  };
  for (;;) {
    const parts: PhysLine[] = [];
    let l: PhysLine | null;
    let last = n;
    while ((l = nextPhys()) !== null) {
      last = l.n;
      if (l.end - l.start > MAX_LINE_BYTES || !isBlankOrComment(buf, l)) parts.push(l);
      // Continue while the next line starts with whitespace ("\n" included) or "#".
      if (parts.length > 0 && pos < buf.length && buf[pos] !== 0x23 && !isSpace(buf[pos])) break;
    }
    if (parts.length === 0) return;
    const first = parts[0].n;
    const where = first === last ? `line ${first}` : `line ${first}-${last}`;
    const long = parts.find((p) => p.end - p.start > MAX_LINE_BYTES);
    if (long) {
      yield { first, last, text: null, reason: { line: long.n, severity: 'error', code: 'line-too-long', message: `${source}, line ${long.n}: line is longer than ${MAX_LINE_BYTES} bytes (${long.end - long.start}) -- ignoring this line` } };
      continue;
    }
    if (parts.some((p) => buf.subarray(p.start, p.end).includes(0))) {
      yield { first, last, text: null, reason: { line: first, severity: 'error', code: 'nul-byte', message: `${source}, ${where}: text after null byte may be ignored -- binary data? ignoring this line` } };
      continue;
    }
    let text: string;
    try {
      text = parts.map((p) => utf8.decode(buf.subarray(p.start, p.end))).join('');
    } catch {
      yield { first, last, text: null, reason: { line: first, severity: 'error', code: 'non-utf8', message: `${source}, ${where}: non-UTF-8 input -- ignoring this line` } };
      continue;
    }
    if (SPACE.test(text[0])) {
      const shown = text.slice(0, 30).replace(/[\r\n]/g, ' ');
      yield { first, last, text: null, reason: { line: first, severity: 'warning', code: 'leading-whitespace', message: `${source}: logical line must not start with whitespace: "${shown}${text.length > 30 ? '...' : ''}"` } };
      continue;
    }
    yield { first, last, text };
  }
}
