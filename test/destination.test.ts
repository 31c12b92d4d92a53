import { echo } from '../src/report/sanitize.js';
import { describe, expect, test } from 'vitest';
import { parseDestination, parseDestinationList, type DestinationOptions } from '../src/destination.js';
import { UsageError } from '../src/errors.js';
import type { Mode } from '../src/types.js';

// One line per case: input → host, port, mode, MX lookup.
const ok = (input: string, host: string, port: number, mode: Mode, mxLookup: boolean, opts?: DestinationOptions) => () => {
  expect(parseDestination(input, opts)).toEqual({ input, host, port, mode, mxLookup });
};
// Bad input → UsageError, one line, naming the input and why.
const bad = (input: string, why: RegExp, opts?: DestinationOptions) => () => {
  let error: unknown;
  try { parseDestination(input, opts); } catch (err) { error = err; }
  expect(error).toBeInstanceOf(UsageError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  // The input is echoed escaped and bounded (report/sanitize.ts echo): its first 200 characters.
  expect(message).toContain(`"${echo(input)}"`);
  expect(message).toMatch(why);
};

describe('domains (MX lookup)', () => {
  test('domain', ok('example.com', 'example.com', 25, 'starttls', true));
  test('domain:port', ok('example.com:587', 'example.com', 587, 'starttls', true));
  test('domain:465', ok('example.com:465', 'example.com', 465, 'implicit', true));
  test('trailing dot', ok('example.com.', 'example.com', 25, 'starttls', true));
  test('trailing dot and port', ok('example.com.:2525', 'example.com', 2525, 'starttls', true));
  test('upper case', ok('MX.Example.COM', 'mx.example.com', 25, 'starttls', true));
  test('surrounding space', ok('  example.com\t', 'example.com', 25, 'starttls', true));
  test('single label', ok('localhost', 'localhost', 25, 'starttls', true));
  test('underscore, digits, hyphen', ok('mx_1.a-b.9c.example', 'mx_1.a-b.9c.example', 25, 'starttls', true));
  test('label of 63', ok(`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`, 25, 'starttls', true));
  test('name of 253', ok(`${'a.'.repeat(125)}com`, `${'a.'.repeat(125)}com`, 25, 'starttls', true));
  test('inet: prefix', ok('inet:example.com:587', 'example.com', 587, 'starttls', true));
});

describe('bracketed hosts (no MX lookup)', () => {
  test('[host]', ok('[mail.example.com]', 'mail.example.com', 25, 'starttls', false));
  test('[host]:port', ok('[mail.example.com]:587', 'mail.example.com', 587, 'starttls', false));
  test('[host]:465', ok('[mail.example.com]:465', 'mail.example.com', 465, 'implicit', false));
  test('[host.]', ok('[Mail.Example.com.]', 'mail.example.com', 25, 'starttls', false));
  test('[ipv4]:port', ok('[192.0.2.1]:25', '192.0.2.1', 25, 'starttls', false));
  test('[ipv6]:port', ok('[2001:db8::1]:25', '2001:db8::1', 25, 'starttls', false));
  test('[ipv6]', ok('[2001:DB8::1]', '2001:db8::1', 25, 'starttls', false));
  test('[ipv6:addr]', ok('[IPv6:2001:db8::1]:587', '2001:db8::1', 587, 'starttls', false));
  test('inet:[host]:port', ok('inet:[mx.example.com]:2525', 'mx.example.com', 2525, 'starttls', false));
});

describe('IP literals (no DNS)', () => {
  test('ipv4', ok('192.0.2.1', '192.0.2.1', 25, 'starttls', false));
  test('ipv4:port', ok('192.0.2.1:465', '192.0.2.1', 465, 'implicit', false));
  test('ipv6', ok('2001:db8::1', '2001:db8::1', 25, 'starttls', false));
  test('ipv6 loopback', ok('::1', '::1', 25, 'starttls', false));
  test('ipv4-mapped ipv6', ok('::ffff:192.0.2.1', '::ffff:192.0.2.1', 25, 'starttls', false));
});

describe('URLs (a host, no MX lookup)', () => {
  test('smtp://', ok('smtp://mx.example.com', 'mx.example.com', 25, 'starttls', false));
  test('smtp://:port', ok('smtp://mx.example.com:2525', 'mx.example.com', 2525, 'starttls', false));
  test('smtp:// on 465 stays STARTTLS', ok('smtp://mx.example.com:465', 'mx.example.com', 465, 'starttls', false));
  test('smtps://', ok('smtps://mail.example.com', 'mail.example.com', 465, 'implicit', false));
  test('smtps://:port', ok('smtps://mail.example.com:4650', 'mail.example.com', 4650, 'implicit', false));
  test('submission://', ok('submission://mail.example.com', 'mail.example.com', 587, 'starttls', false));
  test('SMTPS:// upper case', ok('SMTPS://Mail.Example.com', 'mail.example.com', 465, 'implicit', false));
  test('trailing slash', ok('smtp://mx.example.com/', 'mx.example.com', 25, 'starttls', false));
  test('smtp://[ipv6]:port', ok('smtp://[2001:db8::1]:25', '2001:db8::1', 25, 'starttls', false));
  test('smtps://[ipv6]', ok('smtps://[2001:db8::1]', '2001:db8::1', 465, 'implicit', false));
  test('smtp://ipv4', ok('smtp://192.0.2.1', '192.0.2.1', 25, 'starttls', false));
});

describe('options', () => {
  test('--starttls on 465', ok('[mx.example.com]:465', 'mx.example.com', 465, 'starttls', false, { starttls: true }));
  test('--starttls on smtps://', ok('smtps://mx.example.com', 'mx.example.com', 465, 'starttls', false, { starttls: true }));
  test('--implicit on 25', ok('example.com', 'example.com', 25, 'implicit', true, { implicit: true }));
  test('--implicit on submission://', ok('submission://mx.example.com', 'mx.example.com', 587, 'implicit', false, { implicit: true }));
  test('--port default', ok('example.com', 'example.com', 2525, 'starttls', true, { port: 2525 }));
  test('--port 465 default', ok('[mx.example.com]', 'mx.example.com', 465, 'implicit', false, { port: 465 }));
  test('--port beats scheme default', ok('smtps://mx.example.com', 'mx.example.com', 2465, 'implicit', false, { port: 2465 }));
  test('written port beats --port', ok('example.com:587', 'example.com', 587, 'starttls', true, { port: 2525 }));
  test('--starttls with --implicit', () => {
    expect(() => parseDestination('example.com', { starttls: true, implicit: true })).toThrow(UsageError);
  });
});

describe('bad input', () => {
  test('empty', bad('', /empty/));
  test('blank', bad('   ', /empty/));
  test('unclosed bracket', bad('[::1', /unclosed/));
  test('unclosed bracket with port', bad('[mx.example.com:25', /unclosed/));
  test('] without [', bad('mx.example.com]:25', /without/));
  test('junk after ]', bad('[mx.example.com]25', /after "\]"/));
  test('empty brackets', bad('[]:25', /missing host/));
  test('port 0', bad('example.com:0', /out of range/));
  test('port 99999', bad('[mx.example.com]:99999', /out of range/));
  test('port 65536', bad('example.com:65536', /out of range/));
  test('non-numeric port', bad('example.com:smtp', /invalid port/));
  test('negative port', bad('example.com:-25', /invalid port/));
  test('missing port', bad('example.com:', /missing port/));
  test('missing host', bad(':25', /missing host/));
  test('space inside', bad('a b', /whitespace/));
  test('invalid characters', bad('ex!ample.com', /invalid character/));
  test('slash', bad('example.com/x', /invalid character/));
  test('at sign', bad('user@example.com', /invalid character/));
  test('empty label', bad('example..com', /empty label/));
  test('leading dot', bad('.example.com', /empty label/));
  test('two trailing dots', bad('example.com..', /empty label/));
  test('hyphen at label start', bad('-mx.example.com', /hyphen/));
  test('label of 64', bad(`${'a'.repeat(64)}.com`, /63/));
  test('name of 254', bad(`${'a.'.repeat(126)}co`, /253/));
  test('numeric last label', bad('192.0.2', /neither/));
  test('bad ipv4', bad('300.1.1.1', /neither/));
  test('bad bracketed ipv6', bad('[ipv6:2001:db8::zz]', /IPv6/));
  test('bad bare ipv6', bad('2001:db8::1:xyz', /IPv6/));
  test('unknown scheme', bad('http://x', /unknown scheme/));
  test('lmtp scheme', bad('lmtp://mx.example.com', /unknown scheme/));
  test('url with path', bad('smtp://mx.example.com/path', /only host and port/));
  test('url with user', bad('smtp://user@mx.example.com', /only host and port/));
  test('url with bare ipv6', bad('smtp://2001:db8::1', /brackets/));
  test('url without host', bad('smtps://', /missing host/));
  test('url port 0', bad('smtps://mx.example.com:0', /out of range/));
  test('newline stays on one line', bad('a\nb', /whitespace/));
});

describe('parseDestinationList', () => {
  test('comments, blank lines, CRLF, line numbers', () => {
    const text = '# monitored hosts\r\nexample.com\r\n\r\n  [mx.example.org]:587  # submission\r\n#[old.example]\nsmtps://mail.example.net\n';
    const { destinations, errors } = parseDestinationList(text);
    expect(errors).toEqual([]);
    expect(destinations.map(d => [d.line, d.dest.host, d.dest.port, d.dest.mode, d.dest.mxLookup])).toEqual([
      [2, 'example.com', 25, 'starttls', true],
      [4, 'mx.example.org', 587, 'starttls', false],
      [6, 'mail.example.net', 465, 'implicit', false],
    ]);
    expect(destinations[1].dest.input).toBe('[mx.example.org]:587');
  });

  test('bad lines reported with line numbers, the rest kept', () => {
    const { destinations, errors } = parseDestinationList('example.com\n[::1\nexample.org:0 # typo\na b\nexample.net\n');
    expect(destinations.map(d => [d.line, d.dest.host])).toEqual([[1, 'example.com'], [5, 'example.net']]);
    expect(errors.map(e => [e.line, e.input])).toEqual([[2, '[::1'], [3, 'example.org:0'], [4, 'a b']]);
    expect(errors[0].message).toMatch(/unclosed/);
  });

  test('byte order mark and empty text', () => {
    expect(parseDestinationList('\uFEFFexample.com').destinations[0].dest.host).toBe('example.com');
    expect(parseDestinationList('')).toEqual({ destinations: [], errors: [] });
    expect(parseDestinationList('# nothing\n\n   \n')).toEqual({ destinations: [], errors: [] });
  });

  test('options apply to every line', () => {
    const { destinations } = parseDestinationList('[a.example]:465\nb.example', { starttls: true });
    expect(destinations.map(d => d.dest.mode)).toEqual(['starttls', 'starttls']);
  });
});
