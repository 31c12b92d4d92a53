'use strict';
// string-width 4.2.3 (what cli-table3 measures every cell with), with its two regexes compiled
// once and a fast path for text of one-column characters: the original builds emoji-regex's
// ~10 kB pattern on every call, and cli-table3 measures each cell several times, so a default
// table compiled it thousands of times. Same widths: printable ASCII and the narrow non-emoji
// characters our tables print (→ — … box drawing, Latin, Greek, Cyrillic; the class of
// src/report/fit.ts, checked against the originals by test/build-shims.test.ts) are one column
// each; anything else goes the original way. Until a cold process has run emoji-regex's pattern
// a few times V8 interprets it (~0.3 ms per call), so the default table's "→" rows alone cost
// milliseconds. Bundled in place of string-width by scripts/build.mjs.
const stripAnsi = require('./strip-ansi-once.cjs');
const isFullwidthCodePoint = require('is-fullwidth-code-point');
let emoji; // built on first use: most tables never need it

const NARROW = /^[\x20-\x7e\u00a0-\u00a8\u00aa-\u00ad\u00af-\u02ff\u0370-\u0482\u048a-\u052f\u2010-\u2027\u2030-\u203b\u203d-\u2048\u204a-\u205e\u20a0-\u20c0\u2190-\u2193\u2500-\u257f]*$/;

function stringWidth(string) {
  if (typeof string !== 'string' || string.length === 0) return 0;
  string = stripAnsi(string);
  if (NARROW.test(string)) return string.length;
  emoji ??= require('emoji-regex')();
  string = string.replace(emoji, '  ');
  let width = 0;
  for (let i = 0; i < string.length; i++) {
    const code = string.codePointAt(i);
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) continue; // control characters
    if (code >= 0x300 && code <= 0x36f) continue; // combining characters
    if (code > 0xffff) i++; // surrogates
    width += isFullwidthCodePoint(code) ? 2 : 1;
  }
  return width;
}

module.exports = stringWidth;
module.exports.default = stringWidth;
