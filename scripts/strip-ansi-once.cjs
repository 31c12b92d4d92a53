'use strict';
// strip-ansi 6.0.1 (what cli-table3 → string-width use) with its ansi-regex 5 pattern compiled
// once: the original builds a new RegExp on every call, and cli-table3 measures every cell
// several times, so rendering the default table compiled it thousands of times (~5-7 ms of a
// probe's wall time; bench/README.md). Bundled in place of strip-ansi by scripts/build.mjs.
// String.prototype.replace with a global regex starts at lastIndex 0 and leaves it there, so
// one shared instance is safe.
const ansi = require('ansi-regex')();

// Text without ESC or CSI (most cells) has nothing to strip: no regex run at all.
module.exports = (string) =>
  typeof string !== 'string' || (string.indexOf('\u001b') === -1 && string.indexOf('\u009b') === -1) ? string : string.replace(ansi, '');
