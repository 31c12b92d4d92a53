import { describe, expect, it } from 'vitest';
import { CLI_OPTIONS, COMMANDS, optionDefault, optionsOf, parseIntIn, parseMs, parseOneOf, toProbeOptions, valueKey } from '../src/cli-options.js';
import { resolveOptions } from '../src/options.js';
import type { ProbeOptions } from '../src/types.js';
import { UsageError } from '../src/errors.js';

// Every parse function of the options list, one line per case.
describe('parse functions', () => {
  it.each([
    ['10s', 10_000], ['1500ms', 1500], ['1500', 1_500_000], ['0.5s', 500],
  ])('parseMs(%s) = %d', (text, ms) => expect(parseMs('--timeout')(text)).toBe(ms));
  it.each(['', 'abc', '-1s', '0', '10 m'])('parseMs(%j) is a usage error', (text) => {
    expect(() => parseMs('--timeout')(text)).toThrow(UsageError);
  });
  it.each([['1', 1], ['65535', 65535]])('parseIntIn(%s)', (text, n) => expect(parseIntIn('--port', 1, 65535)(text)).toBe(n));
  it.each(['0', '65536', '1.5', 'x', '-3'])('parseIntIn(%j) is a usage error', (text) => {
    expect(() => parseIntIn('--port', 1, 65535)(text)).toThrow(UsageError);
  });
  it('parseOneOf lowercases and refuses the rest', () => {
    expect(parseOneOf('--mx', ['first', 'all'] as const)('FIRST')).toBe('first');
    expect(() => parseOneOf('--mx', ['first', 'all'] as const)('some')).toThrow(UsageError);
  });
  it('every option with a parse function refuses garbage with a UsageError, never another error', () => {
    for (const o of CLI_OPTIONS.filter((x) => x.parse)) {
      try {
        o.parse!('\u0000garbage\u0000');
      } catch (err) {
        expect(err, `--${o.long}`).toBeInstanceOf(UsageError);
      }
    }
  });
});

describe('toProbeOptions: flags → library options through the list', () => {
  it.each([
    [{ level: 'may' }, { level: 'may' }],
    [{ ipv4: true }, { family: 4 }],
    [{ ipv6: true }, { family: 6 }],
    [{ smtps: true }, { implicit: true }],
    [{ implicit: true }, { implicit: true }],
    [{ pipelining: true }, {}],
    [{ pipelining: false }, { pipelining: false }],
    [{ caFile: 'root.pem' }, { caFile: 'root.pem' }],
    [{ connectTimeout: 5000, verbose: true }, { connectTimeoutMs: 5000, transcript: true }],
    [{ to: ['a@b.c'], quitAfter: 'rcpt' }, { to: ['a@b.c'], quitAfter: 'rcpt' }],
    [{ concurrency: 5, json: true }, {}],
  ])('%j → %j', (values, options) => expect(toProbeOptions(values)).toEqual(options));

  it('every option that sets a ProbeOptions field is read from the key commander uses', () => {
    expect(valueKey(CLI_OPTIONS.find((o) => o.long === 'no-pipelining')!)).toBe('pipelining');
    expect(valueKey(CLI_OPTIONS.find((o) => o.long === 'connect-timeout')!)).toBe('connectTimeout');
  });
});

describe('the table is the one source: commands, defaults, help', () => {
  it('every option names at least one command, and no command has the same flag twice', () => {
    for (const c of COMMANDS) {
      const longs = optionsOf(c).map((o) => o.long);
      expect(new Set(longs).size, c).toBe(longs.length);
      const shorts = optionsOf(c).flatMap((o) => (o.short ? [o.short] : []));
      expect(new Set(shorts).size, c).toBe(shorts.length);
    }
    for (const o of CLI_OPTIONS) expect(o.commands.length, o.long).toBeGreaterThan(0);
  });
  it('defaults are parsed like the flag: the library and --help read the same value', () => {
    expect(optionDefault('timeout')).toBe(30_000);
    expect(optionDefault('banner-timeout')).toBe(60_000);
    expect(optionDefault('per-host', 'probe')).toBe(2);
    expect(optionDefault('per-host', 'scan')).toBe(4);
    expect(optionDefault('level')).toBe('verify');
    expect(resolveOptions({}).timeoutMs).toBe(optionDefault('timeout'));
    expect(resolveOptions({}).level).toBe(optionDefault('level'));
  });
  it('toProbeOptions reads only the options of the command', () => {
    expect(toProbeOptions({ level: 'may', caFile: 'x' }, 'scan')).toEqual({});
    expect(toProbeOptions({ level: 'may', caFile: 'x' }, 'policy')).toEqual({ caFile: 'x' });
  });
});

describe('the library checks its options as the CLI does', () => {
  it.each([
    [{ cafile: 'root.pem' }, /unknown probe option 'cafile' \(did you mean 'caFile'\?\)/],
    [{ sni: 'mx.example' }, /did you mean 'servername'/],
    [{ timeout: 5 }, /did you mean 'timeoutMs'/],
    [{ bogus: 1 }, /^unknown probe option 'bogus'$/],
  ])('%j', (options, message) => {
    expect(() => resolveOptions(options as ProbeOptions)).toThrow(UsageError);
    expect(() => resolveOptions(options as ProbeOptions)).toThrow(message);
  });
  it('caFile is read and every certificate in it checked', () => {
    expect(() => resolveOptions({ caFile: '/nonexistent/root.pem' })).toThrow(/--ca-file: cannot read \/nonexistent\/root\.pem: ENOENT/);
  });
});
