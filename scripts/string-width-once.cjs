'use strict';
// string-width 4.2.3 (what cli-table3 measures every cell with), with its two regexes compiled
// once and a fast path for printable ASCII: the original builds emoji-regex's ~10 kB pattern on
// every call, and cli-table3 measures each cell several times, so a default table compiled it
// thousands of times. Same widths: printable ASCII is one column per character, anything else
// goes the original way. Bundled in place of string-width by scripts/build.mjs.
const stripAnsi = require('./strip-ansi-once.cjs');
const isFullwidthCodePoint = require('is-fullwidth-code-point');
const emoji = require('emoji-regex')();

const ASCII = /^[\x20-\x7e]*$/;

function stringWidth(string) {
  if (typeof string !== 'string' || string.length === 0) return 0;
  string = stripAnsi(string);
  if (ASCII.test(string)) return string.length;
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
