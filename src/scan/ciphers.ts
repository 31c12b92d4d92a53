// Accepted ciphers of one protocol version, by elimination: offer every remaining candidate, note
// what the server picks, take it out, repeat until the handshake fails. The first round offers the
// full list, then (if accepted) reversed: a server that picks the same cipher from both
// orders enforces its own preference (with >= 2 ciphers accepted), so the rest is eliminated one
// step at a time and the picks come out in the server's order; a server that follows the client
// picks differently, and the rest is split into shards eliminated in parallel.
import type { ScanCipher, ScanProtocol, ScanProtocolName } from '../types.js';
import { tlsAttempt } from './attempt.js';
import { candidatesFor, cipherByName, cipherOption, toScanCipher, type CipherInfo } from './cipher-info.js';
import type { AttemptRunner } from './runner.js';
import type { ScanTarget } from './target.js';
import { groupLabel } from './groups.js';

type Pick = { kind: 'picked'; cipher: CipherInfo; group: string | null } | { kind: 'none' } | { kind: 'unknown' };

/** Chain steps outrank one-off attempts: the longest chain is the scan's critical path. */
export const CHAIN_PRIORITY = 10;

async function pick(runner: AttemptRunner, t: ScanTarget, protocol: ScanProtocolName, offered: readonly CipherInfo[], signal?: AbortSignal): Promise<Pick> {
  if (offered.length === 0) return { kind: 'none' };
  const version = protocol as 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  const r = await runner.run(() => tlsAttempt(t, { minVersion: version, maxVersion: version, ciphers: cipherOption(offered) }, ({ socket }) => {
    const c = socket.getCipher();
    return { cipher: cipherByName(c.name, c.standardName), group: groupLabel(socket.getEphemeralKeyInfo()) };
  }, signal), CHAIN_PRIORITY);
  if (r.kind === 'rejected') return { kind: 'none' };
  if (r.kind !== 'accepted') return { kind: 'unknown' };
  const cipher = r.value.cipher;
  // A pick outside the offer would be a server bug OpenSSL refuses; never loop on it.
  if (!cipher || !offered.includes(cipher)) return { kind: 'none' };
  return { kind: 'picked', cipher, group: r.value.group };
}

/** Eliminate from `remaining` until nothing more is picked; picks in order. */
async function eliminate(runner: AttemptRunner, t: ScanTarget, protocol: ScanProtocolName, remaining: CipherInfo[], signal?: AbortSignal): Promise<{ picks: Pick[]; complete: boolean }> {
  const picks: Pick[] = [];
  for (;;) {
    const p = await pick(runner, t, protocol, remaining, signal);
    if (p.kind === 'none') return { picks, complete: true };
    if (p.kind === 'unknown') return { picks, complete: false };
    picks.push(p);
    remaining = remaining.filter((c) => c !== p.cipher);
  }
}

export async function scanProtocolCiphers(runner: AttemptRunner, t: ScanTarget, protocol: ScanProtocolName, shards: number, signal?: AbortSignal): Promise<ScanProtocol> {
  const all = candidatesFor(protocol);
  // Most servers refuse most old versions: one connection settles a refusal, the reversed offer
  // is only worth making once something was accepted.
  const fwd = await pick(runner, t, protocol, all, signal);
  const rev: Pick = fwd.kind === 'picked' ? await pick(runner, t, protocol, [...all].reverse(), signal) : fwd;
  const first = [fwd, rev].filter((p): p is Extract<Pick, { kind: 'picked' }> => p.kind === 'picked');
  if (first.length === 0) {
    const known = fwd.kind === 'none' && rev.kind === 'none';
    return { protocol, accepted: known ? false : null, ciphers: [], serverOrder: null };
  }
  const found = new Map<CipherInfo, string | null>();
  for (const p of first) found.set(p.cipher, p.group);
  let complete = fwd.kind !== 'unknown' && rev.kind !== 'unknown';
  const rest = all.filter((c) => !found.has(c));
  let serverOrder: boolean | null;
  let order: CipherInfo[];
  if (first.length === 2 && fwd.kind === 'picked' && rev.kind === 'picked' && fwd.cipher === rev.cipher) {
    const chain = await eliminate(runner, t, protocol, rest, signal);
    complete &&= chain.complete;
    const more = chain.picks.filter((p): p is Extract<Pick, { kind: 'picked' }> => p.kind === 'picked');
    for (const p of more) found.set(p.cipher, p.group);
    order = [fwd.cipher, ...more.map((p) => p.cipher)];
    serverOrder = order.length >= 2 ? true : null;
  } else {
    serverOrder = first.length === 2 ? false : null;
    const parts = Array.from({ length: Math.max(1, shards) }, (_, i) => rest.filter((_, j) => j % Math.max(1, shards) === i));
    const chains = await Promise.all(parts.map((part) => eliminate(runner, t, protocol, part, signal)));
    for (const chain of chains) {
      complete &&= chain.complete;
      for (const p of chain.picks) if (p.kind === 'picked') found.set(p.cipher, p.group);
    }
    // The client decides: list in OpenSSL's strength order (the table's).
    order = all.filter((c) => found.has(c));
  }
  const ciphers: ScanCipher[] = order.map((c) => toScanCipher(c, found.get(c) ?? null));
  // An incomplete elimination shows up as the scan's `incomplete` (the runner tripped).
  void complete;
  return { protocol, accepted: true, ciphers, serverOrder };
}
