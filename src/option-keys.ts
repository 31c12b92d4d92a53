// The keys the library's option objects take, as data the type checker holds to the interfaces
// (a key added to ProbeOptions without a line here does not compile). An unknown key is a
// UsageError naming the nearest real one: a misspelt option must never be silently ignored.
import { UsageError } from './errors.js';
import type { ProbeOptions, ScanOptions } from './types.js';
import { nearest } from './suggest.js';

const PROBE_KEYS: Record<keyof ProbeOptions, true> = {
  level: true, ehlo: true, from: true, to: true, data: true, quitAfter: true, pipelining: true, starttls: true,
  implicit: true, servername: true, ca: true, caFile: true, appendCa: true, match: true, fingerprintDigest: true,
  protocols: true, ciphers: true, excludeCiphers: true, connectTimeoutMs: true, timeoutMs: true, bannerTimeoutMs: true,
  tlsTimeoutMs: true, deadlineMs: true, warnDays: true, critDays: true, minTls: true, family: true, resolver: true,
  mxMode: true, allAddresses: true, transcript: true, showCerts: true, nextCert: true, mtaSts: true, tlsrpt: true,
  mtaStsPort: true, mtaStsTimeoutMs: true, signal: true, auth: true, authUser: true, authPassword: true, authPasswordFile: true,
  authInsecure: true, clientCert: true, clientCertFile: true, clientKey: true, clientKeyFile: true, clientKeyPassword: true,
  clientKeyPasswordFile: true, requireTls: true, compareRelay: true, onSilentGreeting: true, handshakeTrace: true,
};

const SCAN_KEYS: Record<keyof ScanOptions, true> = {
  profile: true, port: true, perHost: true, quick: true, ehlo: true, servername: true, starttls: true, implicit: true, connectTimeoutMs: true,
  timeoutMs: true, bannerTimeoutMs: true, tlsTimeoutMs: true, deadlineMs: true, family: true, resolver: true, signal: true,
};

const KEYS = { probe: Object.keys(PROBE_KEYS), scan: Object.keys(SCAN_KEYS) } as const;

/** What users of other tools and of the CLI write for an option key. */
const SYNONYMS: Readonly<Record<string, string>> = {
  sni: 'servername', cert: 'ca', capath: 'caFile', timeout: 'timeoutMs', deadline: 'deadlineMs',
  connecttimeout: 'connectTimeoutMs', bannertimeout: 'bannerTimeoutMs', tlstimeout: 'tlsTimeoutMs', verbose: 'transcript',
};

/** Throws a UsageError for the first key of `options` that `kind` does not take. */
export function checkOptionKeys(options: object, kind: keyof typeof KEYS): void {
  const allowed = KEYS[kind];
  for (const key of Object.keys(options)) {
    if ((allowed as readonly string[]).includes(key)) continue;
    const guess = nearest(key, allowed, SYNONYMS);
    throw new UsageError(`unknown ${kind} option '${key}'${guess ? ` (did you mean '${guess}'?)` : ''}`);
  }
}
