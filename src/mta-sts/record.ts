// The `_mta-sts.DOMAIN` TXT record (RFC 8461 §3.1): "v=STSv1; id=20240101T000000;".
// Only TXT strings that start with "v=STSv1" count; more than one such record
// means no policy (§3.1: senders "MUST" treat it as if none were published).

export type StsRecord = { id: string; record: string } | { error: string; record: string | null };

export function parseStsRecords(txt: string[]): StsRecord {
  const candidates = txt.filter((t) => /^v=STSv1(;|\s|$)/.test(t));
  if (candidates.length === 0) return { error: 'no "v=STSv1" TXT record', record: null };
  if (candidates.length > 1) return { error: `${candidates.length} "v=STSv1" TXT records (RFC 8461 §3.1 allows one)`, record: candidates[0] };
  const record = candidates[0];
  const fields = new Map<string, string>();
  for (const part of record.split(';')) {
    const field = part.trim();
    if (field === '') continue;
    const eq = field.indexOf('=');
    if (eq <= 0) return { error: `malformed field "${field}"`, record };
    fields.set(field.slice(0, eq).trim(), field.slice(eq + 1).trim());
  }
  const id = fields.get('id');
  // sts-id = 1*32(ALPHA / DIGIT)
  if (id === undefined) return { error: 'no id= field', record };
  if (!/^[A-Za-z0-9]{1,32}$/.test(id)) return { error: `invalid id "${id}" (1 to 32 letters and digits)`, record };
  return { id, record };
}
