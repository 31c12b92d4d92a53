// Accepted ciphers of one protocol version, by elimination with raw ClientHellos
// (src/scan/raw-hello.ts): offer every remaining candidate, note what the server picks, take it
// out, repeat until it picks nothing. No key is computed on our side: at TLS 1.3 the hello
// carries no key share, so the server names its cipher (and group) in a HelloRetryRequest; at
// TLS <= 1.2 the ServerHello names the cipher and ServerKeyExchange the group or DH size.
// The first round offers the full list, then (if accepted) reversed: a server that picks the
// same cipher from both orders enforces its own preference (with >= 2 ciphers accepted), so the
// rest is eliminated one step at a time and the picks come out in the server's order; a server
// that follows the client picks differently, and the rest is split into shards eliminated in
// parallel. A pick the server did not answer leaves the ciphers of its chain untested, with why.
import type { ScanProtocol, ScanProtocolName } from './types.js';
import type { TlsAlert } from '../types.js';
import { alertText, isServerFailure } from '../tls/alerts.js';
import { tlsAttempt, type AttemptResult } from './attempt.js';
import { candidatesFor, cipherByName, cipherByWire, cipherOption, keyExchangeOf, toScanCipher, type CipherInfo } from './cipher-info.js';
import { groupLabel } from './group-label.js';
import { rawHelloAttempt } from './raw-attempt.js';
import { clientHello, GROUP_NAMES, VERSION, type HelloSpec } from './raw-hello.js';
import type { AttemptRunner } from './runner.js';
import { notTested } from './untested.js';
import type { ScanTarget } from './target.js';

export type Pick =
  | { kind: 'picked'; cipher: CipherInfo; group: string | null }
  | { kind: 'none'; reason: string }
  | { kind: 'unknown'; reason: string };
type Picked = Extract<Pick, { kind: 'picked' }>;
type TlsVersionName = Exclude<ScanProtocolName, 'SSLv2' | 'SSLv3'>;

/** Chain steps outrank one-off attempts: the longest chain is the scan's critical path. */
export const CHAIN_PRIORITY = 10;

/** What one pick learned, by either kind of handshake. */
type Answer =
  | { kind: 'hello'; version: number; helloRetry: boolean; cipher: number; group: string | null }
  | { kind: 'alert'; alert: TlsAlert }
  | { kind: 'other'; detail: string };

/** A raw ClientHello: no key computed on either side, the answer read from the flight. */
function rawPick(t: ScanTarget, version: number, offered: readonly CipherInfo[], signal?: AbortSignal): Promise<AttemptResult<Answer>> {
  const hello = clientHello({ version: version as HelloSpec['version'], suites: offered.map((c) => c.wire), servername: t.servername });
  return rawHelloAttempt<Answer>(t, hello, {
    until: version === VERSION['TLSv1.3'] ? 'hello' : 'done', keyExchangeOf, signal,
    then: async (f) => {
      if (f.kind === 'alert') return f;
      if (f.kind !== 'hello') return { kind: 'other', detail: f.kind === 'other' ? f.detail : 'SSLv2 answer' };
      const { hello: sh, ske } = f;
      const group = sh.version === VERSION['TLSv1.3']
        ? (sh.selectedGroup !== null ? GROUP_NAMES[sh.selectedGroup] ?? `0x${sh.selectedGroup.toString(16)}` : null)
        : ske?.curve != null ? GROUP_NAMES[ske.curve] ?? `0x${ske.curve.toString(16)}` : ske?.dhBits != null ? `DH ${ske.dhBits}` : null;
      return { kind: 'hello', version: sh.version, helloRetry: sh.helloRetry, cipher: sh.cipher, group };
    },
  });
}

/**
 * A complete handshake (Node's TLS), once the server limits connections: a server may hold a
 * slot for a while after a handshake that never finished (Exim with GnuTLS sleeps 0.5 s,
 * tls-gnu.c tls_server_start), and one that finished costs it nothing after the close.
 */
function fullPick(t: ScanTarget, protocol: TlsVersionName, offered: readonly CipherInfo[], signal?: AbortSignal): Promise<AttemptResult<Answer>> {
  return tlsAttempt(t, { minVersion: protocol, maxVersion: protocol, ciphers: cipherOption(offered) }, ({ socket }): Answer => {
    const c = socket.getCipher();
    const cipher = cipherByName(c.name, c.standardName);
    return { kind: 'hello', version: VERSION[protocol], helloRetry: false, cipher: cipher?.wire ?? -1, group: groupLabel(socket.getEphemeralKeyInfo()) };
  }, signal);
}

export async function pickCipher(runner: AttemptRunner, t: ScanTarget, protocol: TlsVersionName, offered: readonly CipherInfo[], signal?: AbortSignal): Promise<Pick> {
  if (offered.length === 0) return { kind: 'none', reason: 'nothing left to offer' };
  const version = VERSION[protocol];
  // Decided per try: a pick turned away for the server's limit is made again the polite way.
  const r = await runner.run(() => (runner.adaptive ? fullPick(t, protocol, offered, signal) : rawPick(t, version, offered, signal)), CHAIN_PRIORITY);
  if (r.kind === 'unavailable' || r.kind === 'skipped' || r.kind === 'failed') return { kind: 'unknown', reason: notTested(r, runner) };
  if (r.kind === 'rejected') return { kind: 'none', reason: r.reason };
  const a = r.value;
  if (a.kind === 'alert') {
    return isServerFailure(a.alert) ? { kind: 'unknown', reason: `the server failed the handshake (${alertText(a.alert)})` } : { kind: 'none', reason: alertText(a.alert) };
  }
  if (a.kind !== 'hello') return { kind: 'none', reason: a.detail };
  if (a.version !== version || (a.helloRetry && version !== VERSION['TLSv1.3'])) return { kind: 'none', reason: `the server answered with version 0x${a.version.toString(16)}` };
  const cipher = cipherByWire(a.cipher);
  // A pick outside the offer would be a server bug OpenSSL refuses; never loop on it.
  if (!cipher || !offered.includes(cipher)) return { kind: 'none', reason: `the server picked 0x${a.cipher.toString(16)}, which was not offered` };
  return { kind: 'picked', cipher, group: a.group };
}

/** Eliminate from `remaining` until nothing more is picked; picks in order, and what was left when a pick went unanswered. */
async function eliminate(runner: AttemptRunner, t: ScanTarget, protocol: TlsVersionName, remaining: CipherInfo[], signal?: AbortSignal): Promise<{ picks: Picked[]; untested: CipherInfo[]; reason: string | null }> {
  const picks: Picked[] = [];
  for (;;) {
    const p = await pickCipher(runner, t, protocol, remaining, signal);
    if (p.kind === 'none') return { picks, untested: [], reason: null };
    if (p.kind === 'unknown') return { picks, untested: remaining, reason: p.reason };
    picks.push(p);
    remaining = remaining.filter((c) => c !== p.cipher);
  }
}

export interface ProtocolScanOptions {
  /** Parallel chains for a server that follows the client's order (asked when the chains start: 1 once the server limits connections). */
  shards: () => number;
  /** Only the first pick (the cipher a client offering everything gets): --quick. */
  preferredOnly?: boolean;
  /** Called once the protocol itself is settled (accepted or not, null: not tested), before its cipher list. */
  onFirstPick?: (accepted: boolean | null) => void;
  signal?: AbortSignal;
}

export async function scanProtocolCiphers(runner: AttemptRunner, t: ScanTarget, protocol: TlsVersionName, o: ProtocolScanOptions): Promise<ScanProtocol> {
  const all = candidatesFor(protocol);
  const base = { protocol, candidates: all.length };
  const result = (accepted: boolean | null, found: Picked[], serverOrder: boolean | null, untested: CipherInfo[], reason: string | null): ScanProtocol => ({
    ...base, accepted, ciphers: found.map((p) => toScanCipher(p.cipher, p.group)), serverOrder,
    complete: untested.length === 0, untested: untested.map((c) => c.name), untestedReason: untested.length ? reason : null,
  });
  // Most servers refuse most old versions: one connection settles a refusal, the reversed offer
  // is only worth making once something was accepted.
  const fwd = await pickCipher(runner, t, protocol, all, o.signal);
  o.onFirstPick?.(fwd.kind === 'picked' ? true : fwd.kind === 'none' ? false : null);
  if (fwd.kind === 'none') return result(false, [], null, [], null);
  if (fwd.kind === 'unknown') return result(null, [], null, all, fwd.reason);
  if (o.preferredOnly) return result(true, [fwd], null, all.filter((c) => c !== fwd.cipher), 'quick scan: the preferred cipher only');
  const rev = await pickCipher(runner, t, protocol, [...all].reverse(), o.signal);
  const first: Picked[] = [fwd, ...(rev.kind === 'picked' && rev.cipher !== fwd.cipher ? [rev] : [])];
  const rest = all.filter((c) => !first.some((p) => p.cipher === c));
  if (rev.kind === 'unknown') {
    // The order question went unanswered: learn the set the way a client-order server allows.
    const chains = await Promise.all(shardsOf(rest, o.shards()).map((part) => eliminate(runner, t, protocol, part, o.signal)));
    return merged(first, chains, all, null, rev.reason);
  }
  if (rev.kind === 'picked' && rev.cipher === fwd.cipher) {
    const chain = await eliminate(runner, t, protocol, rest, o.signal);
    const found = [fwd, ...chain.picks];
    return result(true, found, found.length >= 2 ? true : null, chain.untested, chain.reason);
  }
  const chains = await Promise.all(shardsOf(rest, o.shards()).map((part) => eliminate(runner, t, protocol, part, o.signal)));
  return merged(first, chains, all, first.length === 2 ? false : null, null);

  function merged(firstPicks: Picked[], chains: Awaited<ReturnType<typeof eliminate>>[], order: CipherInfo[], serverOrder: boolean | null, reason: string | null): ScanProtocol {
    const found = new Map<CipherInfo, Picked>(firstPicks.map((p) => [p.cipher, p]));
    for (const chain of chains) for (const p of chain.picks) found.set(p.cipher, p);
    const untested = chains.flatMap((c) => c.untested);
    // The client decides: list in OpenSSL's strength order (the table's).
    const picks = order.filter((c) => found.has(c)).map((c) => found.get(c)!);
    return result(true, picks, serverOrder, untested, chains.find((c) => c.reason)?.reason ?? reason);
  }
}

function shardsOf<T>(xs: T[], n: number): T[][] {
  const k = Math.max(1, n);
  return Array.from({ length: k }, (_, i) => xs.filter((_, j) => j % k === i)).filter((p) => p.length > 0);
}
