// What needs hand-built ClientHellos: SSLv2 and SSLv3 (OpenSSL 3 cannot send them), and the TLS 1.2
// ServerHello facts Node does not expose (renegotiation_info, compression method).
import type { ScanCipher, ScanProtocol } from '../types.js';
import { gradeOf } from './cipher-info.js';
import { rawHelloAttempt } from './raw-attempt.js';
import { SSL3_CIPHERS, sslv2ClientHello, sslv3ClientHello, tls12ClientHello } from './raw-hello.js';
import type { AttemptRunner } from './runner.js';
import type { ScanTarget } from './target.js';
import { CHAIN_PRIORITY } from './ciphers.js';

export async function scanSslv2(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<ScanProtocol> {
  const r = await runner.run(() => rawHelloAttempt(t, sslv2ClientHello(), signal));
  const accepted = r.kind === 'accepted' ? r.value.kind === 'sslv2-server-hello' : r.kind === 'rejected' ? false : null;
  return { protocol: 'SSLv2', accepted, ciphers: [], serverOrder: null };
}

function ssl3Cipher(id: number): ScanCipher | null {
  const row = SSL3_CIPHERS.find((c) => c[0] === id);
  if (!row) return null;
  const [, name, encryption, kx, au] = row;
  const bits = /\((\d+)\)/.exec(encryption);
  return {
    name, standardName: '', id: `0x${(id >> 8).toString(16).padStart(2, '0').toUpperCase()},0x${(id & 0xff).toString(16).padStart(2, '0').toUpperCase()}`,
    bits: bits ? Number(bits[1]) : 0, keyExchange: kx, authentication: au, grade: gradeOf(name, encryption), anonymous: au === 'None', keyExchangeGroup: null,
  };
}

/** SSLv3 by elimination with raw hellos: a ServerHello with version 3.0 is an acceptance. */
export async function scanSslv3(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<ScanProtocol> {
  let remaining = SSL3_CIPHERS.map((c) => c[0]);
  const ciphers: ScanCipher[] = [];
  let accepted: boolean | null = false;
  while (remaining.length > 0) {
    const offer = remaining;
    const r = await runner.run(() => rawHelloAttempt(t, sslv3ClientHello(offer), signal), ciphers.length ? CHAIN_PRIORITY : 0);
    if (r.kind === 'unavailable' || r.kind === 'skipped') {
      if (ciphers.length === 0) accepted = null;
      break;
    }
    if (r.kind !== 'accepted' || r.value.kind !== 'server-hello' || r.value.version !== 0x0300) break;
    const picked = r.value.cipher;
    if (!offer.includes(picked)) break;
    accepted = true;
    const c = ssl3Cipher(picked);
    if (c) ciphers.push(c);
    remaining = remaining.filter((id) => id !== picked);
  }
  return { protocol: 'SSLv3', accepted, ciphers, serverOrder: null };
}

/** renegotiation_info echoed and compression chosen, from a raw TLS 1.2 hello; nulls when no <= 1.2 ServerHello came. */
export async function scanHelloExtensions(runner: AttemptRunner, t: ScanTarget, signal?: AbortSignal): Promise<{ secureRenegotiation: boolean | null; compression: 'none' | 'deflate' | null }> {
  const r = await runner.run(() => rawHelloAttempt(t, tls12ClientHello(t.servername), signal));
  if (r.kind !== 'accepted' || r.value.kind !== 'server-hello' || r.value.version > 0x0303 || r.value.version < 0x0301) return { secureRenegotiation: null, compression: null };
  return { secureRenegotiation: r.value.renegotiationInfo, compression: r.value.compression === 1 ? 'deflate' : 'none' };
}
