// Every command-line option of `mxprobe [probe]`, as data (after npm-check-updates'
// cli-options): --help, the options type and the README table come from this one
// list. Each `parse` turns the flag's text into the ProbeOptions value or throws a
// UsageError with one line.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { LEVELS, QUIT_AFTER, checkVersion } from './options.js';
import { parseResolverAddress } from './resolve.js';
import { parseBaseline } from './baseline.js';
import type { Level, ProbeOptions, QuitAfter } from './types.js';

export interface CliOption {
  /** Long flag without dashes; camelCased it is the key in CliValues. */
  long: string;
  short?: string;
  /** Argument name shown in help; absent for boolean flags. */
  arg?: string;
  description: string;
  default?: string | number | boolean;
  /** Repeatable: values collect into an array. */
  repeat?: boolean;
  parse?: (value: string) => unknown;
  group: 'connection' | 'tls' | 'smtp' | 'verdict' | 'output' | 'run';
  /** The ProbeOptions field the flag sets (flags without one steer the run or the output). */
  option?: keyof ProbeOptions;
  /** For a boolean flag: the value it gives `option` (-4 → family 4). */
  value?: unknown;
}

export function parseMs(flag: string) {
  return (value: string): number => {
    const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value.trim());
    if (!m) throw new UsageError(`${flag}: expected a duration like 10s or 1500ms, got '${value}'`);
    const n = Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
    if (n <= 0) throw new UsageError(`${flag} must be greater than 0`);
    return n;
  };
}

export function parseIntIn(flag: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag}: expected a whole number, got '${value}'`);
    const n = Number(value);
    if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
}

export function parseOneOf<T extends string>(flag: string, allowed: readonly T[]) {
  return (value: string): T => {
    const v = value.toLowerCase() as T;
    if (!allowed.includes(v)) throw new UsageError(`${flag}: '${value}' is not one of ${allowed.join(', ')}`);
    return v;
  };
}

/** Flags whose value was read from standard input (it can be read only once). */
export const readFromStdin = new Set<string>();

export function readTextFile(flag: string) {
  return (path: string): string => {
    if (path === '-') readFromStdin.add(flag);
    try {
      return readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (err) {
      throw new UsageError(`${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
}

/** --ca-file: a file without one PEM certificate (a key, a DER file, a typo) would make every chain "untrusted". */
export function readCaFile(flag: string) {
  const read = readTextFile(flag);
  return (path: string): string => {
    const text = read(path);
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`${flag}: no PEM certificate in ${path}`);
    return text;
  };
}

export const CLI_OPTIONS: readonly CliOption[] = [
  // connection
  { long: 'starttls', description: 'STARTTLS even on port 465', group: 'connection', option: 'starttls' },
  { long: 'implicit', description: 'implicit TLS (smtps) on any port, like posttls-finger -w; alias --smtps', group: 'connection', option: 'implicit' },
  { long: 'smtps', description: 'alias of --implicit', group: 'connection', option: 'implicit' },
  { long: 'port', short: 'p', arg: 'PORT', description: 'port for destinations that name none', parse: parseIntIn('--port', 1, 65535), group: 'connection' },
  { long: 'ipv4', short: '4', description: 'IPv4 addresses only', group: 'connection', option: 'family', value: 4 },
  { long: 'ipv6', short: '6', description: 'IPv6 addresses only', group: 'connection', option: 'family', value: 6 },
  { long: 'mx', arg: 'first|all', description: 'probe the first MX host or all of them', default: 'all', parse: parseOneOf('--mx', ['first', 'all'] as const), group: 'connection', option: 'mxMode' },
  { long: 'all-addresses', description: 'probe every address of each host (default: first that answers)', group: 'connection', option: 'allAddresses' },
  { long: 'resolver', arg: 'IP[:PORT]', description: 'DNS server to ask instead of the system resolver (repeatable)', repeat: true, parse: parseResolverAddress, group: 'connection', option: 'resolver' },
  { long: 'connect-timeout', arg: 'TIME', description: 'TCP connect deadline', default: '10s', parse: parseMs('--connect-timeout'), group: 'connection', option: 'connectTimeoutMs' },
  { long: 'timeout', arg: 'TIME', description: 'deadline for each SMTP reply', default: '30s', parse: parseMs('--timeout'), group: 'connection', option: 'timeoutMs' },
  { long: 'banner-timeout', arg: 'TIME', description: 'deadline for the greeting', default: '60s', parse: parseMs('--banner-timeout'), group: 'connection', option: 'bannerTimeoutMs' },
  { long: 'tls-timeout', arg: 'TIME', description: 'deadline for the TLS handshake', default: '15s', parse: parseMs('--tls-timeout'), group: 'connection', option: 'tlsTimeoutMs' },
  { long: 'deadline', arg: 'TIME', description: 'cap on one whole probe', parse: parseMs('--deadline'), group: 'connection', option: 'deadlineMs' },
  // tls
  { long: 'level', short: 'l', arg: 'LEVEL', description: `security level: ${LEVELS.join(', ')}`, default: 'verify', parse: parseOneOf<Level>('--level', LEVELS), group: 'tls', option: 'level' },
  { long: 'match', short: 'm', arg: 'VALUE', description: 'fingerprint digests (fingerprint) or names (verify, secure: hostname, nexthop, dot-nexthop, .domain); repeatable, or separated by |', repeat: true, group: 'tls', option: 'match' },
  { long: 'fingerprint-digest', arg: 'ALG', description: 'digest for --match at level fingerprint', default: 'sha256', parse: parseOneOf('--fingerprint-digest', ['sha256', 'sha1', 'md5'] as const), group: 'tls', option: 'fingerprintDigest' },
  { long: 'servername', arg: 'NAME', description: 'SNI to send and name to verify (default: the MX/host name)', group: 'tls', option: 'servername' },
  { long: 'ca-file', arg: 'FILE', description: 'PEM trust anchors instead of Node\'s bundled roots', parse: readCaFile('--ca-file'), group: 'tls', option: 'ca' },
  { long: 'append-ca', description: 'trust --ca-file in addition to the bundled roots', group: 'tls', option: 'appendCa' },
  { long: 'protocols', arg: 'LIST', description: "Postfix protocol list, e.g. '>=TLSv1.2' or '!SSLv3, !TLSv1'", default: '>=TLSv1', group: 'tls', option: 'protocols' },
  { long: 'ciphers', arg: 'GRADE', description: 'Postfix cipher grade: high, medium, low, export, null', default: 'medium', group: 'tls', option: 'ciphers' },
  { long: 'exclude-ciphers', arg: 'LIST', description: 'OpenSSL cipher names or classes to exclude, as Postfix exclude=', group: 'tls', option: 'excludeCiphers' },
  // smtp
  { long: 'ehlo', arg: 'NAME', description: 'EHLO name (default: this host\'s fully qualified name)', group: 'smtp', option: 'ehlo' },
  { long: 'from', arg: 'ADDR', description: 'MAIL FROM address (default: null sender <>)', group: 'smtp', option: 'from' },
  { long: 'to', arg: 'ADDR', description: 'RCPT TO address (repeatable)', repeat: true, group: 'smtp', option: 'to' },
  { long: 'data', arg: 'FILE|-', description: 'send this message (never sent unless asked)', parse: readTextFile('--data'), group: 'smtp', option: 'data' },
  { long: 'quit-after', arg: 'STEP', description: `stop after: ${QUIT_AFTER.join(', ')} (default rcpt with --to, else tls)`, parse: parseOneOf<QuitAfter>('--quit-after', QUIT_AFTER), group: 'smtp', option: 'quitAfter' },
  { long: 'no-pipelining', description: 'send MAIL/RCPT one at a time even when PIPELINING is offered', group: 'smtp', option: 'pipelining', value: false },
  // verdict
  // DNS-published policies (issue 8): DANE via --level dane|dane-only, plus these.
  { long: 'next-cert', arg: 'FILE', description: 'PEM of the next certificate (and chain): do the published TLSA records match it too? (dane levels)', parse: readTextFile('--next-cert'), group: 'tls', option: 'nextCert' },
  { long: 'mta-sts', description: 'check the MTA-STS policy (RFC 8461) of the destination domain: would enforce-mode senders deliver?', group: 'tls', option: 'mtaSts' },
  { long: 'tlsrpt', description: 'look up the TLSRPT record (RFC 8460) even without DANE or MTA-STS', group: 'tls', option: 'tlsrpt' },
  { long: 'mta-sts-port', arg: 'PORT', description: 'port of the MTA-STS policy host (tests; default 443)', parse: parseIntIn('--mta-sts-port', 1, 65535), group: 'tls', option: 'mtaStsPort' },
  { long: 'warn-days', arg: 'DAYS', description: 'WARNING when the certificate expires within DAYS', default: 21, parse: parseIntIn('--warn-days', 0, 100000), group: 'verdict', option: 'warnDays' },
  { long: 'crit-days', arg: 'DAYS', description: 'CRITICAL when the certificate expires within DAYS', default: 7, parse: parseIntIn('--crit-days', 0, 100000), group: 'verdict', option: 'critDays' },
  { long: 'min-tls', arg: 'VERSION', description: 'WARNING when a lower TLS version is negotiated (e.g. TLSv1.2)', parse: (v: string) => checkVersion(v, '--min-tls'), group: 'verdict', option: 'minTls' },
  // output
  { long: 'json', description: 'JSON: an array of ProbeResult', group: 'output' },
  { long: 'ndjson', description: 'one JSON ProbeResult per line, as each probe finishes', group: 'output' },
  { long: 'format', arg: 'FORMAT', description: 'table, json, ndjson, nagios, quiet', parse: parseOneOf('--format', ['table', 'json', 'ndjson', 'nagios', 'quiet'] as const), group: 'output' },
  { long: 'quiet', short: 'q', description: 'verdict line only', group: 'output' },
  { long: 'verbose', short: 'v', description: 'SMTP transcript with ->, <- and == marks', group: 'output', option: 'transcript' },
  { long: 'show-certs', description: 'PEM of the chain as served', group: 'output', option: 'showCerts' },
  // run
  { long: 'file', short: 'f', arg: 'FILE', description: 'destinations, one per line (# comments); - for stdin', repeat: true, group: 'run' },
  { long: 'concurrency', short: 'c', arg: 'N', description: 'probes at once', default: 20, parse: parseIntIn('--concurrency', 1, 10000), group: 'run' },
  { long: 'per-host', arg: 'N', description: 'connections at once to one address', default: 2, parse: parseIntIn('--per-host', 1, 1000), group: 'run' },
  { long: 'retries', arg: 'N', description: 'retries after 421, 454 to STARTTLS or connection refused, with jittered back-off', default: 1, parse: parseIntIn('--retries', 0, 10), group: 'run' },
  { long: 'retry-delay', arg: 'TIME', description: 'back-off unit: retry n waits n × 1–3 × TIME', default: '1s', parse: parseMs('--retry-delay'), group: 'run' },
  { long: 'baseline', arg: 'FILE', description: 'JSON or NDJSON of an earlier run: report what changed since', parse: (path: string) => ({ path, baseline: parseBaseline(readTextFile('--baseline')(path), path) }), group: 'run' },
  { long: 'fail-on-change', description: 'with --baseline: any change is CRITICAL', group: 'run' },
  { long: 'no-progress', description: 'no progress line on stderr (shown only when stderr is a terminal)', group: 'run' },
];

/** "connect-timeout" → "connectTimeout" (commander's key). */
export const camel = (long: string): string => long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Where commander keeps a flag's value: "--connect-timeout" → connectTimeout, "--no-x" → x. */
export const valueKey = (o: CliOption): string => camel(o.long.replace(/^no-/, ''));

/** CLI values → library options, through each option's `option` field. */
export function toProbeOptions(values: Record<string, unknown>): ProbeOptions {
  const out: Record<string, unknown> = {};
  for (const o of CLI_OPTIONS) {
    if (!o.option) continue;
    const v = values[valueKey(o)];
    if (v === undefined) continue;
    if (o.value !== undefined) {
      // Boolean flags with a meaning: -4 → family 4. Commander keeps --no-pipelining as
      // pipelining=true by default and false when given.
      if (o.long.startsWith('no-') ? v === false : v === true) out[o.option] = o.value;
    } else if (v !== false || out[o.option] === undefined) {
      out[o.option] = v;
    }
  }
  return out as ProbeOptions;
}
