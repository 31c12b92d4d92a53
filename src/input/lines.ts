// The lines of a text stream as they arrive, in batches (one per chunk read), so a list of any
// length is parsed while it is read and never held whole: LF, CRLF or CR endings, a leading
// UTF-8 BOM dropped, 1-based line numbers. A line longer than `maxLineLength` (a binary file, a
// list without newlines) is reported once as too long and skipped up to its end, so memory stays
// bounded by the chunk size whatever the input.
import { StringDecoder } from 'node:string_decoder';

export interface Line {
  line: number;
  /** The text without its line ending; null when the line was longer than the limit. */
  text: string | null;
}

/** Longest line kept: a destination is at most ~300 characters; a comment may be longer. */
export const MAX_LINE_LENGTH = 64 * 1024;

export async function* readLines(chunks: AsyncIterable<Buffer | string>, maxLineLength = MAX_LINE_LENGTH): AsyncGenerator<Line[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lineNo = 0;
  let first = true;
  // Inside an over-long line: skip to its end.
  let skipping = false;

  const split = (text: string, final: boolean): Line[] => {
    let buf = rest + text;
    if (first && buf.length > 0) {
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
      first = false;
    }
    // A CR at the very end may be the first half of CRLF: wait for the next chunk.
    const end = !final && buf.endsWith('\r') ? buf.length - 1 : buf.length;
    const lastBreak = Math.max(buf.lastIndexOf('\n', end - 1), buf.lastIndexOf('\r', end - 1));
    const out: Line[] = [];
    let lines: string[] = [];
    if (final) {
      // The last piece of a stream that ends without a newline is a line too; an empty one is not.
      lines = buf === '' ? [] : buf.split(/\r\n|\n|\r/);
      if (lines[lines.length - 1] === '') lines.pop();
      rest = '';
    } else if (lastBreak < 0) {
      rest = buf;
    } else {
      const cut = buf[lastBreak] === '\n' && buf[lastBreak - 1] === '\r' ? lastBreak - 1 : lastBreak;
      lines = buf.slice(0, cut).split(/\r\n|\n|\r/);
      rest = buf.slice(lastBreak + 1);
    }
    for (const text of lines) {
      lineNo++;
      if (skipping) {
        skipping = false; // this piece ends the over-long line
        continue;
      }
      out.push({ line: lineNo, text: text.length > maxLineLength ? null : text });
    }
    if (rest.length > maxLineLength) {
      if (!skipping) out.push({ line: lineNo + 1, text: null });
      skipping = true;
      rest = '';
    }
    return out;
  };

  for await (const chunk of chunks) {
    const lines = split(typeof chunk === 'string' ? chunk : decoder.write(chunk), false);
    if (lines.length > 0) yield lines;
  }
  const last = split(decoder.end(), true);
  if (last.length > 0) yield last;
}
