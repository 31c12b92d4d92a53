// The DHE prime sizes the server used, per accepted suite: OpenSSL's automatic DH parameters
// (what Postfix uses without smtpd_tls_dh1024_param_file) follow the suite, so anonymous suites
// may get 1024 bits where DHE-RSA gets 2048 (ssl/t1_lib.c ssl_get_auto_dh). A finding about DH
// sizes names the suites of each size.
import type { ScanProtocol } from './types.js';

export interface DhSize {
  bits: number;
  /** Suite names seen with this size (each once, whatever the protocol). */
  ciphers: string[];
}

/** Sizes in ascending order, from the key exchange each accepted suite was seen with ("DH 2048"). */
export function dhSizes(protocols: readonly ScanProtocol[]): DhSize[] {
  const by = new Map<number, Set<string>>();
  for (const c of protocols.flatMap((p) => p.ciphers)) {
    const m = /^DH (\d+)$/.exec(c.keyExchangeGroup ?? '');
    if (m) by.set(Number(m[1]), (by.get(Number(m[1])) ?? new Set()).add(c.name));
  }
  return [...by].sort((a, b) => a[0] - b[0]).map(([bits, names]) => ({ bits, ciphers: [...names] }));
}

/** "1024 bits (ADH-AES128-SHA, ADH-AES128-GCM-SHA256), 2048 bits (DHE-RSA-AES128-GCM-SHA256)" for the sizes below `limit`. */
export function describeDhSizes(sizes: readonly DhSize[], limit = Infinity): string {
  return sizes.filter((s) => s.bits < limit).map((s) => `${s.bits} bits (${s.ciphers.join(', ')})`).join(', ');
}
