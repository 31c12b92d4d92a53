import { describe, expect, it } from 'vitest';
import { palette, stripAnsi, useColor } from '../../src/report/color.js';

describe('useColor', () => {
  it.each<[boolean | undefined, Record<string, string | undefined>, boolean]>([
    [true, { TERM: 'xterm-256color' }, true],
    [true, {}, true],
    [false, { TERM: 'xterm' }, false],
    [undefined, { TERM: 'xterm' }, false],
    [true, { NO_COLOR: '1', TERM: 'xterm' }, false],
    [true, { NO_COLOR: 'anything' }, false],
    [true, { NO_COLOR: '' }, true], // no-color.org: an empty value does not count
    [true, { TERM: 'dumb' }, false],
  ])('isTTY=%s env=%j → %s', (isTTY, env, expected) => {
    expect(useColor({ isTTY, env })).toBe(expected);
  });
});

describe('palette', () => {
  it('wraps in SGR codes only when enabled', () => {
    expect(palette(true).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(palette(false).red('x')).toBe('x');
    expect(palette(true).status('warning', 'W')).toBe('\u001b[33mW\u001b[39m');
    expect(stripAnsi(palette(true).bold(palette(true).green('ok')))).toBe('ok');
  });
});
