// Destination grammar (DESIGN.md "Destinations"): what Postfix and posttls-finger accept, plus URLs.
// Pure: no DNS here (see resolve.ts). Every bad input is a UsageError naming the input, one line.
import { isIP } from './ip.js';
import { UsageError } from './errors.js';
import type { Destination, Mode } from './types.js';
import { echo, quoted } from './report/sanitize.js';

export interface DestinationOptions {
  /** --starttls: STARTTLS whatever the port or scheme says (even on 465). */
  starttls?: boolean;
  /** --implicit / --smtps: implicit TLS whatever the port or scheme says. */
  implicit?: boolean;
  /** Port for an input that names none; a port written in the input wins, this beats a scheme's default. */
  port?: number;
}

interface Scheme { port: number; mode: Mode }

// RFC 8314 §3.3 (submissions on 465, implicit TLS); RFC 6409 (submission on 587, STARTTLS).
const SCHEMES: Record<string, Scheme> = {
  smtp: { port: 25, mode: 'starttls' },
  smtps: { port: 465, mode: 'implicit' },
  submission: { port: 587, mode: 'starttls' },
};

/**
 * Parse one destination:
 *   example.com, example.com:587          MX lookup (Postfix nexthop without brackets)
 *   [mx.example.com], [mx.example.com]:587, [192.0.2.1]:25, [2001:db8::1]:25, [ipv6:2001:db8::1]
 *   192.0.2.1, 2001:db8::1                IP literals, no DNS (a bare IPv6 literal takes no port)
 *   inet:<any of the above>               Postfix's transport prefix, ignored
 *   smtp://host[:port]  smtps://host[:port]  submission://host[:port]  (IPv6 in brackets)
 *
 * A URL names a host, not a mail domain: like Postfix's `[host]`, it gets no MX lookup
 * (`smtp://example.com` connects to example.com's own A/AAAA). Use a bare domain for MX.
 *
 * Mode: --implicit / --starttls win; then the URL scheme (smtps implicit, smtp/submission
 * STARTTLS, whatever the port); then the port: 465 implicit (RFC 8314), anything else STARTTLS.
 */
export function parseDestination(input: string, opts: DestinationOptions = {}): Destination {
  // Every piece of the input in a message is escaped and bounded (a list line may hold anything).
  const fail = (why: string): UsageError => new UsageError(`invalid destination ${quoted(input)}: ${why}`);
  if (opts.starttls && opts.implicit) throw new UsageError('--starttls and --implicit cannot be combined');

  let rest = input.trim();
  if (rest === '') throw fail('empty');
  if (/\s/.test(rest)) throw fail('contains whitespace');

  let scheme: Scheme | null = null;
  const url = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (url) {
    const name = url[1].toLowerCase();
    scheme = Object.hasOwn(SCHEMES, name) ? SCHEMES[name] : null;
    if (!scheme) throw fail(`unknown scheme ${quoted(`${name}://`, 40)} (use smtp://, smtps:// or submission://)`);
    rest = rest.slice(url[0].length).replace(/\/$/, '');
    if (/[/?#@]/.test(rest)) throw fail('a URL may name only host and port');
  } else if (/^inet:/i.test(rest)) {
    rest = rest.slice('inet:'.length);
  }

  let hostText: string;
  let portText: string | undefined;
  let bracketed = false;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw fail('unclosed "["');
    bracketed = true;
    hostText = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
    else if (after !== '') throw fail(`unexpected ${quoted(after, 40)} after "]"`);
    // RFC 5321 §4.1.3 address literal form, which Postfix also accepts.
    if (/^ipv6:/i.test(hostText)) {
      hostText = hostText.slice('ipv6:'.length);
      if (isIP(hostText) !== 6) throw fail(`invalid IPv6 address ${quoted(hostText, 60)}`);
    }
  } else {
    if (rest.includes(']')) throw fail('"]" without "["');
    const colons = rest.split(':').length - 1;
    if (colons > 1) {
      // A bare IPv6 literal: every colon belongs to the address, so no port can follow.
      if (scheme) throw fail('an IPv6 address in a URL must be in brackets');
      if (isIP(rest) !== 6) throw fail('invalid IPv6 address (write [address]:port to give a port)');
      hostText = rest;
    } else if (colons === 1) {
      const at = rest.indexOf(':');
      hostText = rest.slice(0, at);
      portText = rest.slice(at + 1);
    } else {
      hostText = rest;
    }
  }

  const { host, ip } = normalizeHost(hostText, fail);
  const written = portText === undefined ? undefined : parsePort(portText, fail);
  const port = written ?? opts.port ?? scheme?.port ?? 25;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`invalid port ${port}`);

  const mode: Mode = opts.implicit ? 'implicit'
    : opts.starttls ? 'starttls'
    : scheme ? scheme.mode
    : port === 465 ? 'implicit' : 'starttls';

  const mxLookup = !scheme && !bracketed && ip === 0;
  // A mail domain has a dot (RFC 5321 §2.3.5: a fully-qualified domain name); a bare label is a
  // typo ("scna") or a local host name, which Postfix would write [name] (no MX lookup).
  if (mxLookup && !host.includes('.') && host !== 'localhost') throw fail(`${quoted(host, 60)} is not a mail domain (no dot); for a host on your network write [${echo(host, 60)}]`);
  return { input, host, port, mode, mxLookup };
}

function parsePort(text: string, fail: (why: string) => UsageError): number {
  if (text === '') throw fail('missing port after ":"');
  if (!/^[0-9]+$/.test(text)) throw fail(`invalid port ${quoted(text, 20)}`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw fail(`port ${echo(text, 20)} out of range 1-65535`);
  return port;
}

/** Lowercase, strip one trailing dot, and check RFC 1035 §2.3.4 lengths and host-name characters. */
function normalizeHost(text: string, fail: (why: string) => UsageError): { host: string; ip: 0 | 4 | 6 } {
  if (text === '') throw fail('missing host');
  const lower = text.toLowerCase();
  const ip = isIP(lower);
  if (ip === 4 || ip === 6) return { host: lower, ip };

  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (name === '') throw fail('missing host');
  if (name.length > 253) throw fail(`host name longer than 253 characters`);
  const labels = name.split('.');
  for (const label of labels) {
    if (label === '') throw fail('empty label in the host name');
    if (label.length > 63) throw fail(`label ${quoted(label, 20)} longer than 63 characters`);
    // Underscore is accepted, as Postfix's valid_hostname() does; other punctuation is not.
    if (!/^[a-z0-9_-]+$/.test(label)) throw fail('invalid character in the host name');
    if (label.startsWith('-') || label.endsWith('-')) throw fail('misplaced hyphen in the host name');
  }
  // A numeric last label is never a host name: a mistyped IPv4 address ("192.0.2", "300.1.1.1").
  if (/^[0-9]+$/.test(labels[labels.length - 1])) throw fail('neither an IP address nor a host name');
  return { host: name, ip: 0 };
}

export interface DestinationList {
  destinations: { line: number; dest: Destination }[];
  errors: { line: number; input: string; message: string }[];
}

/** One line of a list: a destination, a bad line's message, or null for a blank or comment line. */
export type ListLine = { dest: Destination } | { error: string; input: string } | null;

/**
 * One line of a `-f FILE` list: `#` starts a comment (whole line or trailing), blanks are
 * skipped. Shared by parseDestinationList (a whole text) and the streaming reader
 * (src/input/destination-stream.ts), so both read a list the same way.
 */
export function parseListLine(raw: string, opts: DestinationOptions = {}): ListLine {
  const hash = raw.indexOf('#');
  const input = (hash < 0 ? raw : raw.slice(0, hash)).trim();
  if (input === '') return null;
  try {
    return { dest: parseDestination(input, opts) };
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return { error: err.message, input };
  }
}

/**
 * Parse a `-f FILE` list: one destination per line, `#` starts a comment (whole line or trailing),
 * blank lines skipped, LF or CRLF. Bad lines are collected with their 1-based line number so the
 * rest of the list still runs.
 */
export function parseDestinationList(text: string, opts: DestinationOptions = {}): DestinationList {
  if (opts.starttls && opts.implicit) throw new UsageError('--starttls and --implicit cannot be combined');
  const result: DestinationList = { destinations: [], errors: [] };
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  lines.forEach((raw, index) => {
    const parsed = parseListLine(raw, opts);
    if (parsed === null) return;
    if ('dest' in parsed) result.destinations.push({ line: index + 1, dest: parsed.dest });
    else result.errors.push({ line: index + 1, input: parsed.input, message: parsed.error });
  });
  return result;
}
