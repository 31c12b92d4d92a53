// Text made to fit a column before any table sees it: a budget per cell, our own word wrap, and
// display widths. Every step is one pass over the text, so what a server sends (a 56 KB EHLO
// reply, an 8,000-character banner or certificate field) costs time in proportion to what is
// printed, never a layout library's search for where to break.

/** Characters a table cell shows at most; the rest is counted, and --json has it all. */
export const CELL_BUDGET = 512;

// Printable characters that are one column wide for string-width (what cli-table3 measures
// with) and for terminals, and never part of an emoji: ASCII, Latin-1 without © and ®, the Latin,
// IPA, Greek and Cyrillic blocks (no combining marks), general punctuation without ‼ and ⁉,
// currency signs, the four plain arrows and box drawing. scripts/string-width-once.cjs uses the
// same class; test/report/fit.test.ts checks it against string-width and emoji-regex.
const NARROW = /^[\x20-\x7e\u00a0-\u00a8\u00aa-\u00ad\u00af-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u203b\u203d-\u2048\u204a-\u205e\u20a0-\u20c0\u2190-\u2193\u2500-\u257f]*$/;
// eslint-disable-next-line no-control-regex
const SGR_AT = /\u001b\[[0-9;]*m/y;

/**
 * Columns one code point takes, never fewer than string-width counts (so a line we call fitting
 * is never cut by the table): 0 for controls and combining marks, 2 for East Asian wide
 * characters, for the symbol blocks where emoji live and for astral code points, else 1.
 */
export function codePointWidth(cp: number): number {
  if (cp < 0x7f) return cp < 0x20 ? 0 : 1;
  if (cp <= 0x9f) return 0;
  if (cp >= 0x300 && cp <= 0x36f) return 0;
  if (cp === 0xa9 || cp === 0xae || cp === 0x203c || cp === 0x2049) return 2;
  if (cp < 0x1100) return 1;
  if (cp >= 0x2190 && cp <= 0x2193) return 1;
  if (cp >= 0x2500 && cp <= 0x257f) return 1;
  if (cp >= 0x2100 && cp <= 0x2bff) return 2; // letterlike … misc symbols and arrows: emoji live here
  if (cp > 0xffff) return 2;
  return isWide(cp) ? 2 : 1;
}

// East Asian Wide and Fullwidth ranges, as is-fullwidth-code-point 3 (string-width 4) lists them.
function isWide(cp: number): boolean {
  return (
    cp <= 0x115f ||
    cp === 0x2329 ||
    cp === 0x232a ||
    (cp >= 0x2e80 && cp <= 0x3247 && cp !== 0x303f) ||
    (cp >= 0x3250 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0xa4c6) ||
    (cp >= 0xa960 && cp <= 0xa97c) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe10 && cp <= 0xfe19) ||
    (cp >= 0xfe30 && cp <= 0xfe6b) ||
    (cp >= 0xff01 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6)
  );
}

/** Columns `text` takes on a terminal; our own SGR colour codes take none. */
export function displayWidth(text: string): number {
  if (NARROW.test(text)) return text.length;
  let width = 0;
  for (let i = 0; i < text.length; ) {
    const sgr = sgrAt(text, i);
    if (sgr) {
      i += sgr;
      continue;
    }
    const cp = text.codePointAt(i)!;
    width += codePointWidth(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return width;
}

/** Length of the SGR sequence (`ESC [ … m`) starting at `i`, or 0. */
function sgrAt(text: string, i: number): number {
  if (text.charCodeAt(i) !== 0x1b) return 0;
  SGR_AT.lastIndex = i;
  return SGR_AT.test(text) ? SGR_AT.lastIndex - i : 0;
}

/**
 * `text` cut to `limit` characters (colour codes not counted), then "… N more bytes, see --json"
 * for what was left out: a 56 KB reply in a table cell would say nothing a reader can use, and
 * the JSON output keeps it whole.
 */
export function budget(text: string, limit = CELL_BUDGET): string {
  if (text.length <= limit) return text;
  let shown = 0;
  let i = 0;
  while (i < text.length && shown < limit) {
    const sgr = sgrAt(text, i);
    if (sgr) {
      i += sgr;
      continue;
    }
    i += text.codePointAt(i)! > 0xffff ? 2 : 1;
    shown++;
  }
  const rest = Buffer.byteLength(text.slice(i).replace(/\u001b\[[0-9;]*m/g, ''), 'utf8');
  if (rest === 0) return text; // only colour codes left
  return `${text.slice(0, i)}… ${rest} more bytes, see --json`;
}

// Where a long word may break: after these, or before "[" (host[address]:port).
const BREAK_AFTER = new Set(['-', '_', ':', '.', ',', '/', '@']);

/**
 * A word wider than `width` cut into pieces that fit: before the last "[" that fits
 * ("mx1.example.com" / "[192.0.2.1]:25"), else after the last of `-_:.,/@` that fits
 * ("ECDHE-RSA-" / "AES256-GCM-SHA384"), else hard at `width` columns. Colour codes are never cut.
 * Each piece costs at most `width` steps, so the whole is linear in the word.
 */
export function splitWord(word: string, width: number): string[] {
  width = Math.max(1, width);
  // Units: one code point or one SGR sequence each, with their widths.
  const starts: number[] = [];
  const widths: number[] = [];
  for (let i = 0; i < word.length; ) {
    const sgr = sgrAt(word, i);
    starts.push(i);
    if (sgr) {
      widths.push(0);
      i += sgr;
    } else {
      const cp = word.codePointAt(i)!;
      widths.push(codePointWidth(cp));
      i += cp > 0xffff ? 2 : 1;
    }
  }
  starts.push(word.length);
  const n = widths.length;
  let remaining = 0;
  for (const w of widths) remaining += w;
  const pieces: string[] = [];
  let from = 0;
  while (remaining > width) {
    // fit: the first unit that no longer fits after `from`.
    let fit = from;
    let used = 0;
    while (fit < n && used + widths[fit] <= width) used += widths[fit++];
    let cut = -1;
    for (let k = fit; k > from; k--) {
      if (k < n && word[starts[k]] === '[') {
        cut = k;
        break;
      }
    }
    if (cut < 0) {
      for (let k = fit; k > from; k--) {
        if (BREAK_AFTER.has(word[starts[k - 1]])) {
          cut = k;
          break;
        }
      }
    }
    if (cut < 0) cut = Math.max(fit, from + 1);
    let taken = 0;
    for (let k = from; k < cut; k++) taken += widths[k];
    pieces.push(word.slice(starts[from], starts[cut]));
    remaining -= taken;
    from = cut;
  }
  if (from < n) pieces.push(word.slice(starts[from]));
  return pieces;
}

/**
 * Lines of at most `width` columns: the text's own lines, each word-wrapped at spaces (runs of
 * spaces kept between words on a line, dropped at a break), a word wider than the column broken
 * by `splitWord`. Empty lines are dropped, as a table cell would. Colour open at the end of a line
 * is closed there and reopened on the next, so each line stands alone in its cell.
 */
export function wrap(text: string, width: number): string[] {
  // Most cells: one line of one-column characters that fits (NARROW holds no LF and no ESC), with
  // trailing spaces dropped as wrapParagraph drops them.
  if (text.length <= width && NARROW.test(text)) {
    let end = text.length;
    while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--;
    return end === 0 ? [] : [text.slice(0, end)];
  }
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) wrapParagraph(paragraph, width, lines);
  return text.includes('\u001b[') ? carryColour(lines) : lines;
}

function wrapParagraph(text: string, width: number, out: string[]): void {
  let line = '';
  let lineWidth = 0;
  const flush = () => {
    if (lineWidth > 0) out.push(line);
    line = '';
    lineWidth = 0;
  };
  const place = (space: string, word: string, wordWidth: number) => {
    if (lineWidth > 0 && lineWidth + space.length + wordWidth <= width) {
      line += space + word;
      lineWidth += space.length + wordWidth;
    } else if (lineWidth === 0 && line === '' && space.length + wordWidth <= width && out.length === start) {
      // Leading spaces of the text are kept (an indented reply line).
      line = space + word;
      lineWidth = space.length + wordWidth;
    } else {
      flush();
      line = word;
      lineWidth = wordWidth;
    }
  };
  const start = out.length;
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && text.charCodeAt(j) === 0x20) j++;
    const space = text.slice(i, j);
    let k = j;
    while (k < text.length && text.charCodeAt(k) !== 0x20) k++;
    if (k === j) break; // trailing spaces
    const word = text.slice(j, k);
    const wordWidth = displayWidth(word);
    if (wordWidth <= width) place(space, word, wordWidth);
    else {
      const pieces = splitWord(word, width);
      place(space, pieces[0], displayWidth(pieces[0]));
      for (let p = 1; p < pieces.length; p++) {
        flush();
        line = pieces[p];
        lineWidth = displayWidth(pieces[p]);
      }
    }
    i = k;
  }
  flush();
}

// The SGR codes our palette writes (color.ts): bold 1 and dim 2 end with 22, colours 3x end with 39.
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[([0-9;]*)m/g;

function carryColour(lines: string[]): string[] {
  let intensity = ''; // "1", "2", "1;2"
  let colour = '';
  return lines.map((line) => {
    const open = `${intensity ? `\u001b[${intensity}m` : ''}${colour ? `\u001b[${colour}m` : ''}`;
    for (const m of line.matchAll(SGR)) {
      for (const code of m[1] === '' ? ['0'] : m[1].split(';')) {
        const n = Number(code);
        if (n === 0) intensity = colour = '';
        else if (n === 1 || n === 2) intensity = intensity.includes(code) ? intensity : intensity ? `${intensity};${code}` : code;
        else if (n === 22) intensity = '';
        else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) colour = code;
        else if (n === 39) colour = '';
      }
    }
    const close = `${colour ? '\u001b[39m' : ''}${intensity ? '\u001b[22m' : ''}`;
    return `${open}${line}${close}`;
  });
}

/** `text` padded with spaces to `width` columns. */
export function padTo(text: string, width: number): string {
  const w = displayWidth(text);
  return w >= width ? text : text + ' '.repeat(width - w);
}
