// Key-exchange groups, one raw ClientHello each (src/scan/raw-hello.ts): at TLS 1.3 the group is
// named in supported_groups with no key share, so an accepting server answers with a
// HelloRetryRequest for it and nobody computes a key (ffdhe8192 costs a round trip, not a second
// of CPU); a server that stops at TLS 1.2 is asked for its ECDHE curves with ECDHE-only suites.
// At TLS 1.2 the DHE group is the server's own parameter file: see scanDheBits.
import type { TLSSocket } from 'node:tls';
import type { ScanGroup, ScanProtocolName } from '../types.js';
import { tlsAttempt } from './attempt.js';
import { CIPHERS, cipherOption } from './cipher-info.js';
import { rawHelloAttempt } from './raw-attempt.js';
import { GROUP_IDS, tls12GroupHello, tls13GroupHello } from './raw-hello.js';
import type { AttemptRunner } from './runner.js';
import type { ScanTarget } from './target.js';

/** Our group names, their size in bits, and whether they exist before TLS 1.3. */
export const GROUPS: ReadonlyArray<readonly [name: string, bits: number, ecdhe: boolean]> = [
  ['X25519', 253, true], ['X448', 448, true], ['P-256', 256, true], ['P-384', 384, true], ['P-521', 521, true],
  ['ffdhe2048', 2048, false], ['ffdhe3072', 3072, false], ['ffdhe4096', 4096, false], ['ffdhe6144', 6144, false], ['ffdhe8192', 8192, false],
];
const FRIENDLY: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** "X25519", "P-256", "DH 2048" from getEphemeralKeyInfo(); null for RSA key transport / TLS 1.3 PSK-only. */
export function groupLabel(info: ReturnType<TLSSocket['getEphemeralKeyInfo']>): string | null {
  if (!info || !('type' in info) || !info.type) return null;
  const { type, name, size } = info as { type: string; name?: string; size?: number };
  if (type === 'DH') return `DH ${size ?? '?'}`;
  return name ? (FRIENDLY[name] ?? name) : type;
}

export async function scanGroups(runner: AttemptRunner, t: ScanTarget, highest: ScanProtocolName | null, signal?: AbortSignal): Promise<ScanGroup[]> {
  if (highest === null || highest === 'SSLv2' || highest === 'SSLv3') return [];
  const tls13 = highest === 'TLSv1.3';
  const protocol: ScanProtocolName = tls13 ? 'TLSv1.3' : 'TLSv1.2';
  return Promise.all(GROUPS.filter(([, , ecdhe]) => tls13 || ecdhe).map(async ([name, bits]): Promise<ScanGroup> => {
    const id = GROUP_IDS[name];
    const hello = tls13 ? tls13GroupHello(id, t.servername) : tls12GroupHello(id, t.servername);
    const r = await runner.run(() => rawHelloAttempt(t, hello, signal));
    if (r.kind === 'unavailable' || r.kind === 'skipped') return { name, accepted: null, protocol, bits };
    const reply = r.kind === 'accepted' ? r.value : null;
    const accepted = reply?.kind === 'server-hello' && (tls13 ? reply.selectedGroup === id : reply.version <= 0x0303);
    return { name, accepted, protocol, bits };
  }));
}

/** DHE parameter size: a <= TLS 1.2 handshake offering only DHE suites. */
export async function scanDheBits(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<number | null> {
  const ciphers = cipherOption(CIPHERS.filter((c) => c.keyExchange === 'DH' && c.minProtocol !== 'TLSv1.3'));
  const r = await runner.run(() => tlsAttempt(t, { minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers }, ({ socket }) => {
    const info = socket.getEphemeralKeyInfo();
    return info && 'size' in info && typeof info.size === 'number' ? info.size : null;
  }, signal));
  return r.kind === 'accepted' ? r.value : null;
}
