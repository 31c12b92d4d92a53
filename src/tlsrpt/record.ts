// The `_smtp._tls.DOMAIN` TXT record (RFC 8460 §3): "v=TLSRPTv1; rua=mailto:a@example.com,https://r.example/".
// Only strings that start with "v=TLSRPTv1" count; more than one such record is an error (§3).

export type TlsrptRecord = { rua: string[]; record: string } | { error: string; record: string | null };

export function parseTlsrptRecords(txt: string[]): TlsrptRecord {
  const candidates = txt.filter((t) => /^v=TLSRPTv1(;|\s|$)/.test(t));
  if (candidates.length === 0) return { error: 'no "v=TLSRPTv1" TXT record', record: null };
  if (candidates.length > 1) return { error: `${candidates.length} "v=TLSRPTv1" TXT records (RFC 8460 §3 allows one)`, record: candidates[0] };
  const record = candidates[0];
  const rua = /(?:^|;)\s*rua\s*=\s*([^;]*)/.exec(record)?.[1];
  if (!rua || rua.trim() === '') return { error: 'no rua= field', record };
  const uris = rua.split(',').map((u) => u.trim()).filter(Boolean);
  // tlsrpt-uri: mailto: or https: only (RFC 8460 §3).
  const bad = uris.find((u) => !/^(mailto:[^@\s]+@[^@\s]+|https:\/\/\S+)$/i.test(u));
  if (bad) return { error: `rua "${bad}" is neither mailto: nor https:`, record };
  return { rua: uris, record };
}
