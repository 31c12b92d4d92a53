// Every command-line option of every command, as data (after npm-check-updates'
// src/cli-options.ts): the parsers, --help, the library's defaults and the option tables in
// docs/ all come from this one list. An option names the commands that take it; any other
// command refuses it. Each `parse` turns the flag's text into the option's value or throws a
// UsageError with one line. `default` is written as a user would type it and parsed like the
// flag, so help and code read the same value.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import { LEVELS } from './levels.js';
import { parseResolverAddress } from './dns/server-address.js';
import type { ProbeOptions } from './types.js';
import { parseRate } from './run/rate-gate.js';
import { parseShard, SHARD_BY } from './run/shard.js';
import { isIP } from './ip.js';

export const COMMANDS = ['probe', 'policy', 'scan', 'postfix', 'tlsa', 'fingerprint', 'serve', 'report', 'tlsrpt', 'demo', 'completion'] as const;
export type CommandName = (typeof COMMANDS)[number];

export type OptionGroup = 'connection' | 'tls' | 'smtp' | 'verdict' | 'output' | 'run' | 'policy' | 'scan' | 'postfix' | 'tlsa' | 'auth' | 'serve' | 'report' | 'tlsrpt';

export interface CliOption {
  /** Long flag without dashes; camelCased (without "no-") it is the key of the parsed values. */
  long: string;
  short?: string;
  /** Argument name shown in help; absent for boolean flags. */
  arg?: string;
  /** The argument may be left out (`--auth [MECH]`); the bare flag gives `true`. */
  optionalArg?: boolean;
  description: string;
  /** As a user would type it; parsed by `parse` when the code needs the value (optionDefault). */
  default?: string | number | boolean;
  /** Repeatable: values collect into an array. */
  repeat?: boolean;
  parse?: (value: string) => unknown;
  group: OptionGroup;
  /** The commands that take this flag; every other command refuses it (a usage error). */
  commands: readonly CommandName[];
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

/** "TLSv1.2" in any case → the spelling OpenSSL and Node use. */
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export function parseTlsVersion(flag: string) {
  return (value: string): (typeof TLS_VERSIONS)[number] => {
    const v = TLS_VERSIONS.find((x) => x.toLowerCase() === value.trim().toLowerCase());
    if (!v) throw new UsageError(`${flag}: unknown TLS version '${value}' (one of ${TLS_VERSIONS.join(', ')})`);
    return v;
  };
}

/** `--listen HOST:PORT` ([IPv6]:PORT; PORT alone means loopback). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim()) ?? /^()()(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen: expected HOST:PORT, [IPv6]:PORT or PORT, got '${value}'`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** `--per-host-rate`: "2/s", "30/min", a bare number (per second), or "unlimited". */
export function parsePerHostRate(value: string): number {
  const n = parseRate(value);
  if (Number.isNaN(n)) throw new UsageError(`--per-host-rate: expected a rate like 2/s, 30/min or unlimited, got '${value}'`);
  return n;
}

/** `--source-address`: an IP address of this host (whether it is one is checked before the run). */
export function parseSourceAddress(value: string): string {
  const v = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (!isIP(v)) throw new UsageError(`--source-address: expected an IP address, got '${value}'`);
  return v;
}

/** A digit 0..max (TLSA fields). */
export function parseDigit(flag: string, max: number) {
  return (v: string): number => {
    if (!/^\d$/.test(v) || Number(v) > max) throw new UsageError(`${flag} must be 0-${max}, got '${v}'`);
    return Number(v);
  };
}

/** Flags whose value was read from standard input (it can be read only once). */
export const readFromStdin = new Set<string>();

/** The whole text of a file (or standard input for "-"); a missing file is a usage error naming it. */
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

export const QUIT_AFTER = ['ehlo', 'tls', 'mail', 'rcpt', 'data'] as const;
export const OUTPUT_FORMATS = ['table', 'json', 'ndjson', 'nagios', 'quiet'] as const;
/** A probe run can also be written for node_exporter's textfile collector, or as an HTML report. */
export const PROBE_FORMATS = [...OUTPUT_FORMATS, 'prometheus', 'html'] as const;
export const SCAN_PROFILES = ['ncsc', 'mozilla-intermediate', 'mozilla-modern'] as const;

const PROBING: readonly CommandName[] = ['probe', 'policy', 'scan'];
/** Commands that print results (the output options). */
const REPORTING: readonly CommandName[] = ['probe', 'policy', 'scan', 'postfix', 'tlsrpt'];
const PROBE: readonly CommandName[] = ['probe'];
const PROBE_POLICY: readonly CommandName[] = ['probe', 'policy'];
/** The probe's options are also `serve`'s: they form its default module. */
const PROBE_SERVE: readonly CommandName[] = ['probe', 'serve'];
const PROBING_SERVE: readonly CommandName[] = [...PROBING, 'serve'];

export const CLI_OPTIONS: readonly CliOption[] = [
  // connection: how to reach the server
  { long: 'starttls', description: 'STARTTLS even on port 465', group: 'connection', commands: PROBING_SERVE, option: 'starttls' },
  { long: 'implicit', description: 'implicit TLS (smtps) on any port, like posttls-finger -w; alias --smtps', group: 'connection', commands: PROBING_SERVE, option: 'implicit' },
  { long: 'smtps', description: 'alias of --implicit', group: 'connection', commands: PROBING_SERVE, option: 'implicit' },
  { long: 'port', short: 'p', arg: 'PORT', description: 'port for destinations (and policy keys) that name none', parse: parseIntIn('--port', 1, 65535), group: 'connection', commands: [...PROBING, 'tlsrpt', 'serve'] },
  { long: 'ipv4', short: '4', description: 'IPv4 addresses only', group: 'connection', commands: PROBING_SERVE, option: 'family', value: 4 },
  { long: 'ipv6', short: '6', description: 'IPv6 addresses only', group: 'connection', commands: PROBING_SERVE, option: 'family', value: 6 },
  { long: 'mx', arg: 'first|all', description: 'probe the first MX host or all of them', default: 'all', parse: parseOneOf('--mx', ['first', 'all'] as const), group: 'connection', commands: PROBE, option: 'mxMode' },
  { long: 'all-addresses', description: 'probe every address of each host (default: first that answers)', group: 'connection', commands: PROBE_POLICY, option: 'allAddresses' },
  { long: 'resolver', arg: 'IP[:PORT]', description: 'DNS server to ask instead of the system resolver (repeatable)', repeat: true, parse: parseResolverAddress, group: 'connection', commands: [...PROBING_SERVE, 'tlsrpt'], option: 'resolver' },
  { long: 'connect-timeout', arg: 'TIME', description: 'TCP connect deadline', default: '10s', parse: parseMs('--connect-timeout'), group: 'connection', commands: [...REPORTING, 'serve'], option: 'connectTimeoutMs' },
  { long: 'timeout', arg: 'TIME', description: 'deadline for each SMTP reply', default: '30s', parse: parseMs('--timeout'), group: 'connection', commands: [...REPORTING, 'serve'], option: 'timeoutMs' },
  { long: 'banner-timeout', arg: 'TIME', description: 'deadline for the greeting', default: '60s', parse: parseMs('--banner-timeout'), group: 'connection', commands: PROBING_SERVE, option: 'bannerTimeoutMs' },
  { long: 'tls-timeout', arg: 'TIME', description: 'deadline for the TLS handshake', default: '15s', parse: parseMs('--tls-timeout'), group: 'connection', commands: [...REPORTING, 'serve'], option: 'tlsTimeoutMs' },
  { long: 'deadline', arg: 'TIME', description: 'cap on one whole probe (scan: on the whole scan)', parse: parseMs('--deadline'), group: 'connection', commands: PROBING_SERVE, option: 'deadlineMs' },
  // tls: what to offer and what to verify
  { long: 'level', short: 'l', arg: 'LEVEL', description: `Postfix security level: ${LEVELS.join(', ')}`, default: 'verify', parse: parseOneOf('--level', LEVELS), group: 'tls', commands: ['probe', 'postfix', 'serve'], option: 'level' },
  { long: 'match', short: 'm', arg: 'VALUE', description: 'fingerprint digests (fingerprint) or names (verify, secure: hostname, nexthop, dot-nexthop, .domain); repeatable, or separated by |', repeat: true, group: 'tls', commands: PROBE_SERVE, option: 'match' },
  { long: 'fingerprint-digest', arg: 'ALG', description: 'digest for --match at level fingerprint', default: 'sha256', parse: parseOneOf('--fingerprint-digest', ['sha256', 'sha1', 'md5'] as const), group: 'tls', commands: PROBE_SERVE, option: 'fingerprintDigest' },
  { long: 'servername', arg: 'NAME', description: 'SNI to send and name to verify (default: the MX/host name)', group: 'tls', commands: ['probe', 'scan', 'serve'], option: 'servername' },
  { long: 'ca-file', arg: 'FILE', description: "PEM trust anchors instead of Node's bundled roots", group: 'tls', commands: ['probe', 'policy', 'postfix', 'serve', 'tlsrpt'], option: 'caFile' },
  { long: 'append-ca', description: 'trust --ca-file in addition to the bundled roots', group: 'tls', commands: [...PROBE_POLICY, 'serve'], option: 'appendCa' },
  { long: 'protocols', arg: 'LIST', description: "Postfix protocol list, e.g. '>=TLSv1.2' or '!SSLv3, !TLSv1'", default: '>=TLSv1', group: 'tls', commands: PROBE_SERVE, option: 'protocols' },
  { long: 'ciphers', arg: 'GRADE', description: 'Postfix cipher grade: high, medium, low, export, null', default: 'medium', group: 'tls', commands: PROBE_SERVE, option: 'ciphers' },
  { long: 'exclude-ciphers', arg: 'LIST', description: 'OpenSSL cipher names or classes to exclude, as Postfix exclude=', group: 'tls', commands: PROBE_SERVE, option: 'excludeCiphers' },
  { long: 'next-cert', arg: 'FILE', description: 'PEM of the next certificate (and chain): do the published TLSA records match it too? (dane levels)', parse: readTextFile('--next-cert'), group: 'tls', commands: PROBE, option: 'nextCert' },
  { long: 'mta-sts', description: 'check the MTA-STS policy (RFC 8461) of the destination domain: would enforce-mode senders deliver?', group: 'tls', commands: PROBE_SERVE, option: 'mtaSts' },
  { long: 'tlsrpt', description: 'look up the TLSRPT record (RFC 8460) even without DANE or MTA-STS', group: 'tls', commands: PROBE_SERVE, option: 'tlsrpt' },
  { long: 'mta-sts-port', arg: 'PORT', description: 'port of the MTA-STS policy host (tests)', default: 443, parse: parseIntIn('--mta-sts-port', 1, 65535), group: 'tls', commands: PROBE_SERVE, option: 'mtaStsPort' },
  { long: 'no-handshake-trace', description: "don't read the server's handshake flight (no tls.peerSignature, tls.certificateRequested): ~0.3 ms less CPU per probe", group: 'tls', commands: [...PROBE_POLICY, 'serve'], option: 'handshakeTrace', value: false },
  // smtp: the conversation
  { long: 'ehlo', arg: 'NAME', description: "EHLO name (default: this host's fully qualified name)", group: 'smtp', commands: [...REPORTING, 'serve'], option: 'ehlo' },
  { long: 'from', arg: 'ADDR', description: 'MAIL FROM address (default: null sender <>)', group: 'smtp', commands: PROBE_SERVE, option: 'from' },
  { long: 'to', arg: 'ADDR', description: 'RCPT TO address (repeatable)', repeat: true, group: 'smtp', commands: PROBE_SERVE, option: 'to' },
  { long: 'data', arg: 'FILE|-', description: 'send this message (never sent unless asked)', parse: readTextFile('--data'), group: 'smtp', commands: PROBE, option: 'data' },
  { long: 'quit-after', arg: 'STEP', description: `stop after: ${QUIT_AFTER.join(', ')} (default rcpt with --to, else tls)`, parse: parseOneOf('--quit-after', QUIT_AFTER), group: 'smtp', commands: PROBE_SERVE, option: 'quitAfter' },
  { long: 'no-pipelining', description: 'send MAIL/RCPT one at a time even when PIPELINING is offered', group: 'smtp', commands: PROBE_SERVE, option: 'pipelining', value: false },
  { long: 'requiretls', description: 'MAIL FROM with REQUIRETLS (RFC 8689); refused when the server does not advertise it', group: 'smtp', commands: PROBE_SERVE, option: 'requireTls' },
  // auth: submission (587/465) as a mail client does it; credentials only ever inside TLS
  { long: 'auth', arg: 'MECH', optionalArg: true, description: 'SMTP AUTH inside TLS: PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256; bare: the strongest the server offers', parse: (v: string) => v.toUpperCase(), group: 'auth', commands: PROBE_SERVE, option: 'auth' },
  { long: 'auth-user', arg: 'USER', description: 'user name for --auth', group: 'auth', commands: PROBE_SERVE, option: 'authUser' },
  { long: 'auth-password-file', arg: 'FILE', description: 'first line is the password (else $MXPROBE_AUTH_PASSWORD; never on the command line)', group: 'auth', commands: PROBE_SERVE, option: 'authPasswordFile' },
  { long: 'auth-insecure', description: 'allow AUTH without TLS where TLS was not attempted or not offered (a WARNING)', group: 'auth', commands: PROBE_SERVE, option: 'authInsecure' },
  { long: 'cert', arg: 'FILE', description: 'client certificate (PEM, with its chain; may hold the key) to present, as smtp_tls_cert_file', group: 'auth', commands: PROBE_SERVE, option: 'clientCertFile' },
  { long: 'key', arg: 'FILE', description: 'key of --cert when not in the same file', group: 'auth', commands: PROBE_SERVE, option: 'clientKeyFile' },
  { long: 'key-password-file', arg: 'FILE', description: 'password of an encrypted --key', group: 'auth', commands: PROBE_SERVE, option: 'clientKeyPasswordFile' },
  { long: 'compare-relay', description: 'with --cert and --to: RCPT again without the certificate, both replies shown (relay_clientcerts)', group: 'auth', commands: PROBE, option: 'compareRelay' },
  // verdict
  { long: 'warn-days', arg: 'DAYS', description: 'WARNING when the certificate expires within DAYS', default: 21, parse: parseIntIn('--warn-days', 0, 100000), group: 'verdict', commands: ['probe', 'policy', 'postfix', 'serve', 'report'], option: 'warnDays' },
  { long: 'crit-days', arg: 'DAYS', description: 'CRITICAL when the certificate expires within DAYS', default: 7, parse: parseIntIn('--crit-days', 0, 100000), group: 'verdict', commands: ['probe', 'policy', 'postfix', 'serve', 'report'], option: 'critDays' },
  { long: 'min-tls', arg: 'VERSION', description: 'WARNING when a lower TLS version is negotiated (e.g. TLSv1.2)', parse: parseTlsVersion('--min-tls'), group: 'verdict', commands: PROBE_SERVE, option: 'minTls' },
  // output: the same meaning in every command that prints results
  { long: 'format', arg: 'FORMAT', description: PROBE_FORMATS.join(', '), default: 'table', parse: parseOneOf('--format', PROBE_FORMATS), group: 'output', commands: PROBE },
  { long: 'format', arg: 'FORMAT', description: OUTPUT_FORMATS.join(', '), default: 'table', parse: parseOneOf('--format', OUTPUT_FORMATS), group: 'output', commands: [...REPORTING.filter((c) => c !== 'probe'), 'demo'] },
  { long: 'output', short: 'o', arg: 'FILE', description: 'write the result to FILE atomically (temp file + rename) instead of stdout: json, nagios, prometheus, html', group: 'output', commands: ['probe', 'report'] },
  { long: 'json', description: 'JSON (--format json)', group: 'output', commands: [...REPORTING, 'tlsa', 'demo'] },
  { long: 'ndjson', description: 'one JSON object per line, as each result is ready (--format ndjson)', group: 'output', commands: [...REPORTING, 'demo'] },
  { long: 'quiet', short: 'q', description: 'verdict lines only (--format quiet)', group: 'output', commands: [...REPORTING, 'demo'] },
  { long: 'verbose', short: 'v', description: 'SMTP transcript with ->, <- and == marks', group: 'output', commands: ['probe', 'demo'], option: 'transcript' },
  { long: 'show-certs', description: 'PEM of the chain as served', group: 'output', commands: ['probe', 'demo'], option: 'showCerts' },
  // run: many destinations
  { long: 'file', short: 'f', arg: 'FILE', description: 'destinations, one per line (# comments); - for stdin', repeat: true, group: 'run', commands: PROBE },
  { long: 'concurrency', short: 'c', arg: 'N', description: 'probes at once (tlsrpt --reprobe: domains at once)', default: 20, parse: parseIntIn('--concurrency', 1, 10000), group: 'run', commands: [...PROBE_POLICY, 'serve', 'tlsrpt'] },
  { long: 'per-host', arg: 'N', description: 'connections at once to one address', default: 2, parse: parseIntIn('--per-host', 1, 1000), group: 'run', commands: [...PROBE_POLICY, 'serve'] },
  { long: 'per-host-rate', arg: 'RATE', description: 'new connections per second to one address (2/s, 30/min, unlimited); slowed further after a 421 or a refusal', default: '2/s', parse: parsePerHostRate, group: 'run', commands: PROBE_POLICY },
  { long: 'source-address', arg: 'IP', description: 'connect from this local address (repeatable: used in turn)', repeat: true, parse: parseSourceAddress, group: 'run', commands: PROBE_POLICY },
  { long: 'shard', arg: 'K/N', description: 'probe only shard K of N (from 1): the destinations whose address hashes to K, so each address is probed by one shard', parse: parseShard, group: 'run', commands: PROBE },
  { long: 'shard-seed', arg: 'TEXT', description: 'seed of the --shard hash (give every shard the same; default empty)', group: 'run', commands: PROBE },
  { long: 'shard-by', arg: 'address|domain', description: 'address: every shard resolves every destination; domain: each resolves its own (DNS split too; a shared MX may see two shards)', default: 'address', parse: parseOneOf('--shard-by', SHARD_BY), group: 'run', commands: PROBE },
  { long: 'retries', arg: 'N', description: 'retries after 421, 454 to STARTTLS or connection refused, with jittered back-off', default: 1, parse: parseIntIn('--retries', 0, 10), group: 'run', commands: PROBE_POLICY },
  { long: 'retry-delay', arg: 'TIME', description: 'back-off unit: retry n waits n × 1–3 × TIME', default: '1s', parse: parseMs('--retry-delay'), group: 'run', commands: PROBE_POLICY },
  { long: 'baseline', arg: 'FILE', description: 'JSON or NDJSON of an earlier run: report what changed since', parse: (path: string) => ({ path, text: readTextFile('--baseline')(path) }), group: 'run', commands: ['probe', 'report'] },
  { long: 'fail-on-change', description: 'with --baseline: exit 2 when anything changed (the results keep their own status)', group: 'run', commands: PROBE },
  { long: 'no-progress', description: 'no progress line on stderr (shown only when stderr is a terminal)', group: 'run', commands: PROBE_POLICY },
  // policy FILE
  { long: 'offline', description: 'lint only (policy), check configuration and files only (postfix): no connection', group: 'policy', commands: ['policy', 'postfix'] },
  { long: 'domain', arg: 'NAME', description: 'probe .domain pattern entries as this domain', group: 'policy', commands: ['policy'] },
  // scan DEST
  { long: 'profile', arg: 'NAME', description: `grade against: ${SCAN_PROFILES.join(', ')}`, default: 'ncsc', parse: parseOneOf('--profile', SCAN_PROFILES), group: 'scan', commands: ['scan'] },
  { long: 'per-host', arg: 'N', description: 'connections at once to the server (one at a time once it refuses one)', default: 4, parse: parseIntIn('--per-host', 1, 64), group: 'scan', commands: ['scan'] },
  { long: 'quick', description: 'protocols, the preferred cipher of each, certificates and the injection test only: a handful of connections', group: 'scan', commands: ['scan'] },
  // postfix: this host's Postfix, configured against served
  { long: 'config-dir', arg: 'DIR', description: 'Postfix configuration directory (postconf -c; default: postconf\'s own, /etc/postfix)', group: 'postfix', commands: ['postfix'] },
  { long: 'host', arg: 'NAME', description: 'another name every certificate must carry, besides myhostname (repeatable)', repeat: true, group: 'postfix', commands: ['postfix'] },
  { long: 'postfix-version', arg: 'VERSION', description: 'without postconf: the Postfix version whose defaults apply', default: '3.7', group: 'postfix', commands: ['postfix'] },
  { long: 'postconf', arg: 'PATH', description: 'postconf binary (default: found on PATH and in /usr/sbin)', group: 'postfix', commands: ['postfix'] },
  { long: 'no-postconf', description: 'read main.cf and master.cf directly, without postconf', group: 'postfix', commands: ['postfix'] },
  // serve: a Prometheus exporter (blackbox_exporter style)
  { long: 'listen', arg: 'HOST:PORT', description: 'address to listen on (loopback unless told otherwise)', default: '127.0.0.1:9525', parse: parseListen, group: 'serve', commands: ['serve'] },
  { long: 'modules', arg: 'FILE', description: 'modules (named sets of probe options), JSON or YAML (.yaml/.yml)', group: 'serve', commands: ['serve'] },
  { long: 'timeout-offset', arg: 'TIME', description: 'taken off the scrape timeout header so the answer arrives in time', default: '500ms', parse: parseMs('--timeout-offset'), group: 'serve', commands: ['serve'] },
  { long: 'max-scrape-timeout', arg: 'TIME', description: 'probe budget without a timeout header, and its cap', default: '60s', parse: parseMs('--max-scrape-timeout'), group: 'serve', commands: ['serve'] },
  // report RUN.ndjson
  { long: 'title', arg: 'TEXT', description: 'title of the HTML report', default: 'mxprobe report', group: 'report', commands: ['report'] },
  // tlsrpt REPORT...
  { long: 'reprobe', description: 'probe each failing MX host today, under the reported policy type (sts: --mta-sts, tlsa: --level dane)', group: 'tlsrpt', commands: ['tlsrpt'] },
  { long: 'max-size', arg: 'BYTES', description: 'largest report read (after gunzip)', default: 67108864, parse: parseIntIn('--max-size', 1024, 2 ** 40), group: 'tlsrpt', commands: ['tlsrpt'] },
  // tlsa --cert FILE
  { long: 'cert', arg: 'FILE', description: 'PEM certificate (leaf first, then its chain), or for tlsa a public/private key; - for stdin', group: 'tlsa', commands: ['tlsa', 'fingerprint'] },
  { long: 'usage', arg: 'N', description: 'TLSA usage: 3 DANE-EE (leaf), 2 DANE-TA (issuer); default both', parse: parseDigit('--usage', 3), group: 'tlsa', commands: ['tlsa'] },
  { long: 'selector', arg: 'N', description: '0 full certificate, 1 public key', default: 1, parse: parseDigit('--selector', 1), group: 'tlsa', commands: ['tlsa'] },
  { long: 'matching', arg: 'N', description: '0 exact, 1 SHA-256, 2 SHA-512', default: 1, parse: parseDigit('--matching', 2), group: 'tlsa', commands: ['tlsa'] },
  { long: 'name', arg: 'HOST', description: 'print zone-file lines for _PORT._tcp.HOST (or a full _25._tcp.… owner name)', group: 'tlsa', commands: ['tlsa'] },
  { long: 'digest', arg: 'ALG', description: 'sha256, sha1 or md5, as smtpd_tls_fingerprint_digest', default: 'sha256', parse: parseOneOf('--digest', ['sha256', 'sha1', 'md5'] as const), group: 'tlsa', commands: ['fingerprint'] },
  { long: 'table', arg: 'NAME', description: 'only the lines for relay_clientcerts, check_ccert_access or tls_policy', parse: parseOneOf('--table', ['relay_clientcerts', 'check_ccert_access', 'tls_policy'] as const), group: 'tlsa', commands: ['fingerprint'] },
  { long: 'tlsa-port', arg: 'PORT', description: 'port of the TLSA owner name', default: 25, parse: parseIntIn('--tlsa-port', 1, 65535), group: 'tlsa', commands: ['tlsa'] },
];

/** The options one command takes, in table order. */
export function optionsOf(command: CommandName): CliOption[] {
  return CLI_OPTIONS.filter((o) => o.commands.includes(command));
}

/** "connect-timeout" → "connectTimeout" (commander's key). */
export const camel = (long: string): string => long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Where commander keeps a flag's value: "--connect-timeout" → connectTimeout, "--no-x" → x. */
export const valueKey = (o: CliOption): string => camel(o.long.replace(/^no-/, ''));

/** The parsed default of a flag (for `command`, when the same flag means different things). */
export function optionDefault<T = unknown>(long: string, command: CommandName = 'probe'): T {
  const o = CLI_OPTIONS.find((x) => x.long === long && x.commands.includes(command));
  if (!o || o.default === undefined) throw new Error(`no default for --${long} (${command})`);
  return (o.parse && typeof o.default === 'string' ? o.parse(o.default) : o.default) as T;
}

/** CLI values of `command` → library options, through each option's `option` field. */
export function toProbeOptions(values: Record<string, unknown>, command: CommandName = 'probe'): ProbeOptions {
  const out: Record<string, unknown> = {};
  for (const o of optionsOf(command)) {
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
