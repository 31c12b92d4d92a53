// Key-exchange groups, by elimination with raw ClientHellos (src/scan/raw-hello.ts): offer every
// remaining group, note the one the server selects, take it out, repeat until it selects none.
// At TLS 1.3 the hello carries no key share, so the server names its group in a
// HelloRetryRequest and nobody computes a key (ffdhe8192 and the ML-KEM hybrids cost one round
// trip, not a key generation); the picks come out in the server's order of preference. A server
// that stops at TLS 1.2 is asked for its ECDHE curves with ECDHE-only suites, and names the
// curve in ServerKeyExchange. At TLS 1.2 the DHE group is the server's own parameter file: the
// DH sizes come with the ciphers (keyExchangeGroup "DH 2048").
import type { ScanGroup, ScanProtocolName } from './types.js';
import { alertText, isServerFailure } from '../tls/alerts.js';
import { CIPHERS, keyExchangeOf } from './cipher-info.js';
import { rawHelloAttempt } from './raw-attempt.js';
import { clientHello, GROUP_IDS, VERSION } from './raw-hello.js';
import type { AttemptRunner } from './runner.js';
import { notTested } from './untested.js';
import type { ScanTarget } from './target.js';

/** Our group names, their size in bits (null for hybrids), whether they exist before TLS 1.3, and whether they are post-quantum hybrids. */
export const GROUPS: ReadonlyArray<readonly [name: string, bits: number | null, ecdhe: boolean, hybrid: boolean]> = [
  ['X25519', 253, true, false], ['X448', 448, true, false], ['P-256', 256, true, false], ['P-384', 384, true, false], ['P-521', 521, true, false],
  ['ffdhe2048', 2048, false, false], ['ffdhe3072', 3072, false, false], ['ffdhe4096', 4096, false, false], ['ffdhe6144', 6144, false, false], ['ffdhe8192', 8192, false, false],
  ['X25519MLKEM768', null, false, true], ['SecP256r1MLKEM768', null, false, true], ['SecP384r1MLKEM1024', null, false, true],
];
const ECDHE_SUITES = CIPHERS.filter((c) => c.minProtocol !== 'TLSv1.3' && c.keyExchange === 'ECDH').map((c) => c.wire);
const TLS13_SUITES = CIPHERS.filter((c) => c.minProtocol === 'TLSv1.3').map((c) => c.wire);

type GroupPick = { kind: 'picked'; id: number } | { kind: 'none' } | { kind: 'unknown'; reason: string };

async function pickGroup(runner: AttemptRunner, t: ScanTarget, tls13: boolean, offered: number[], signal?: AbortSignal): Promise<GroupPick> {
  const hello = tls13
    ? clientHello({ version: VERSION['TLSv1.3'], suites: TLS13_SUITES, groups: offered, servername: t.servername })
    : clientHello({ version: VERSION['TLSv1.2'], suites: ECDHE_SUITES, groups: offered, servername: t.servername });
  const r = await runner.run(() => rawHelloAttempt(t, hello, { until: tls13 ? 'hello' : 'done', keyExchangeOf, signal }), 5);
  if (r.kind === 'unavailable' || r.kind === 'skipped' || r.kind === 'failed') return { kind: 'unknown', reason: notTested(r, runner) };
  if (r.kind === 'rejected') return { kind: 'none' };
  const f = r.value;
  if (f.kind === 'alert') return isServerFailure(f.alert) ? { kind: 'unknown', reason: `the server failed the handshake (${alertText(f.alert)})` } : { kind: 'none' };
  if (f.kind !== 'hello') return { kind: 'none' };
  const id = tls13 ? (f.hello.version === 0x0304 ? f.hello.selectedGroup : null) : f.hello.version <= 0x0303 ? f.ske?.curve ?? null : null;
  return id !== null && offered.includes(id) ? { kind: 'picked', id } : { kind: 'none' };
}

export async function scanGroups(runner: AttemptRunner, t: ScanTarget, highest: ScanProtocolName | null, signal?: AbortSignal): Promise<ScanGroup[]> {
  if (highest === null || highest === 'SSLv2' || highest === 'SSLv3') return [];
  const tls13 = highest === 'TLSv1.3';
  const protocol: ScanProtocolName = tls13 ? 'TLSv1.3' : 'TLSv1.2';
  const candidates = GROUPS.filter(([, , ecdhe]) => tls13 || ecdhe);
  let remaining = candidates.map(([name]) => GROUP_IDS[name]);
  const order: number[] = [];
  let reason: string | null = null;
  while (remaining.length) {
    const p = await pickGroup(runner, t, tls13, remaining, signal);
    if (p.kind === 'none') break;
    if (p.kind === 'unknown') {
      reason = p.reason;
      break;
    }
    order.push(p.id);
    remaining = remaining.filter((id) => id !== p.id);
  }
  const rank = (name: string) => {
    const i = order.indexOf(GROUP_IDS[name]);
    return i < 0 ? order.length + candidates.findIndex(([n]) => n === name) : i;
  };
  // The server's preference first, then the rest in our order.
  return candidates
    .map(([name, bits, , hybrid]): ScanGroup => {
      const accepted = order.includes(GROUP_IDS[name]);
      const untested = !accepted && reason !== null;
      return { name, accepted: untested ? null : accepted, protocol, bits, hybrid, untestedReason: untested ? reason : null };
    })
    .sort((a, b) => rank(a.name) - rank(b.name));
}
