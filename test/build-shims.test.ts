import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The build bundles faster copies of string-width and strip-ansi into the CLI
// (scripts/build.mjs): they must measure and strip exactly as the originals do.
const require = createRequire(import.meta.url);
const fastWidth = require('../scripts/string-width-once.cjs') as (s: string) => number;
const fastStrip = require('../scripts/strip-ansi-once.cjs') as (s: string) => string;
const width = require('string-width') as (s: string) => number;
const strip = require('strip-ansi') as (s: string) => string;

const SAMPLES = [
  '', 'abc', 'OK [127.0.0.1]:25 TLSv1.3', '\x1b[31mred\x1b[39m', '\x1b[1m\x1b[32mOK\x1b[39m\x1b[22m',
  '日本語', 'e\u0301', '😀 ok', '👩‍💻', 'tab\there', '│ x ─', '\\x1b[2J escaped', 'ÄÖÜ ß', '\u200bzero',
  'a'.repeat(500), 'mx.test.example → 250 mx.test.example',
  // The narrow fast path (→ — … box drawing, Latin, Greek, Cyrillic) and its neighbours that are not narrow.
  'no — self-signed … ─┼─', 'Ωμέγα Кириллица ĦŁØ', '© ®', '‼ ⁉', '↔ ↕ ↩', '☀ ☎', '1\ufe0f\u20e3', '\u009b31mcsi', '€ ₿ ←↑→↓',
];

describe('bundled shims match the originals', () => {
  it.each(SAMPLES)('string-width %j', (s) => expect(fastWidth(s)).toBe(width(s)));
  it.each(SAMPLES)('strip-ansi %j', (s) => expect(fastStrip(s)).toBe(strip(s)));
  it('repeated calls give the same answer (shared global regexes keep no state)', () => {
    for (let i = 0; i < 3; i++) expect(fastStrip('\x1b[31mred\x1b[39m')).toBe('red');
  });
});
