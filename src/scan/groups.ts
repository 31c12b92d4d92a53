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
import type { TlsAlert } from '../types.js';
import { tlsAttempt, type AttemptResult } from './attempt.js';
import { CIPHERS, cipherOption, keyExchangeOf } from './cipher-info.js';
import { rawHelloAttempt } from './raw-attempt.js';
import { clientHello, GROUP_IDS, GROUP_NAMES, VERSION } from './raw-hello.js';
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
/** What one group pick saw: the group the server selected, or its alert, or nothing useful. */
type GroupAnswer = { kind: 'group'; id: number | null } | { kind: 'alert'; alert: TlsAlert } | { kind: 'other' };

/** Groups a complete handshake may offer cheaply: the curves (an ffdhe8192 handshake costs ~0.7 s of CPU here; Node has no ML-KEM). */
const CURVE_IDS = new Set(GROUPS.filter(([, , ecdhe]) => ecdhe).map(([name]) => GROUP_IDS[name]));
/** OpenSSL's names for Node's ecdhCurve (SSL_CTX_set1_groups_list), and back from getEphemeralKeyInfo(). */
const OPENSSL_NAME: Record<string, string> = { 'P-256': 'P-256', 'P-384': 'P-384', 'P-521': 'P-521' };
const FROM_OPENSSL: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function rawGroupPick(t: ScanTarget, tls13: boolean, offered: number[], signal?: AbortSignal): Promise<AttemptResult<GroupAnswer>> {
  const hello = tls13
    ? clientHello({ version: VERSION['TLSv1.3'], suites: TLS13_SUITES, groups: offered, servername: t.servername })
    : clientHello({ version: VERSION['TLSv1.2'], suites: ECDHE_SUITES, groups: offered, servername: t.servername });
  return rawHelloAttempt<GroupAnswer>(t, hello, {
    until: tls13 ? 'hello' : 'done', keyExchangeOf, signal,
    then: async (f) => {
      if (f.kind === 'alert') return f;
      if (f.kind !== 'hello') return { kind: 'other' };
      return { kind: 'group', id: tls13 ? (f.hello.version === 0x0304 ? f.hello.selectedGroup : null) : f.hello.version <= 0x0303 ? f.ske?.curve ?? null : null };
    },
  });
}

/**
 * A complete handshake offering curves only, once the server limits connections: a finished
 * handshake frees its slot at once (see ciphers.ts fullPick). FFDHE groups and the hybrids stay
 * raw: their key exchange costs more than a held slot.
 */
function fullGroupPick(t: ScanTarget, tls13: boolean, offered: number[], signal?: AbortSignal): Promise<AttemptResult<GroupAnswer>> {
  const names = offered.map((id) => GROUP_NAMES[id]).map((n) => OPENSSL_NAME[n] ?? n);
  const version = tls13 ? 'TLSv1.3' : 'TLSv1.2';
  const ciphers = cipherOption(CIPHERS.filter((c) => (tls13 ? c.minProtocol === 'TLSv1.3' : c.minProtocol !== 'TLSv1.3' && c.keyExchange === 'ECDH')));
  return tlsAttempt(t, { minVersion: version, maxVersion: version, ciphers, groups: names.join(':') }, ({ socket }): GroupAnswer => {
    const info = socket.getEphemeralKeyInfo() as { type?: string; name?: string; size?: number } | null;
    const name = info?.type === 'DH' ? `ffdhe${info.size}` : info?.name ? FROM_OPENSSL[info.name] ?? info.name : null;
    return { kind: 'group', id: name ? GROUP_IDS[name] ?? null : null };
  }, signal);
}

async function pickGroup(runner: AttemptRunner, t: ScanTarget, tls13: boolean, offered: number[], signal?: AbortSignal): Promise<GroupPick> {
  const curves = offered.filter((id) => CURVE_IDS.has(id));
  let full = false;
  // Decided per try, like cipher picks: polite once the server has refused a connection.
  const r = await runner.run(() => ((full = runner.adaptive && curves.length > 0) ? fullGroupPick(t, tls13, curves, signal) : rawGroupPick(t, tls13, offered, signal)), 5);
  if (r.kind === 'unavailable' || r.kind === 'skipped' || r.kind === 'failed') return { kind: 'unknown', reason: notTested(r, runner) };
  if (r.kind === 'rejected') {
    // No curve left the server accepts: the other groups are asked about the raw way.
    if (full && curves.length < offered.length) return pickGroup(runner, t, tls13, offered.filter((id) => !CURVE_IDS.has(id)), signal);
    return { kind: 'none' };
  }
  const a = r.value;
  if (a.kind === 'alert') return isServerFailure(a.alert) ? { kind: 'unknown', reason: `the server failed the handshake (${alertText(a.alert)})` } : { kind: 'none' };
  if (a.kind !== 'group') return { kind: 'none' };
  return a.id !== null && offered.includes(a.id) ? { kind: 'picked', id: a.id } : { kind: 'none' };
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
