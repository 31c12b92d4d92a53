import type { TLSSocket } from 'node:tls';

const FRIENDLY: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** "X25519", "P-256", "DH 2048" from getEphemeralKeyInfo(); null for RSA key transport / TLS 1.3 PSK-only. */
export function groupLabel(info: ReturnType<TLSSocket['getEphemeralKeyInfo']>): string | null {
  if (!info || !('type' in info) || !info.type) return null;
  const { type, name, size } = info as { type: string; name?: string; size?: number };
  if (type === 'DH') return `DH ${size ?? '?'}`;
  return name ? (FRIENDLY[name] ?? name) : type;
}
