/**
 * EHLO capabilities (RFC 5321 §4.1.1.1): the lines after the first of a 250
 * reply, each "KEYWORD [params]". Keywords are case-insensitive.
 */
export function parseEhloCapabilities(replyText: string): string[] {
  return replyText
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

export function keywordOf(capability: string): string {
  return capability.split(/[ =]/, 1)[0].toUpperCase();
}

export function hasCapability(capabilities: string[] | null, keyword: string): boolean {
  return (capabilities ?? []).some((c) => keywordOf(c) === keyword);
}

/** Keywords gained and lost across the TLS upgrade (by keyword; AUTH mechanisms compared in full). */
export function diffCapabilities(before: string[], after: string[]): { added: string[]; removed: string[] } {
  const norm = (c: string) => c.toUpperCase().replace(/\s+/g, ' ');
  const a = new Set(before.map(norm));
  const b = new Set(after.map(norm));
  return {
    added: after.filter((c) => !a.has(norm(c))),
    removed: before.filter((c) => !b.has(norm(c))),
  };
}

/**
 * SASL mechanisms of the AUTH keyword (RFC 4954 §3), uppercase, in the server's order. Also
 * reads the "AUTH=PLAIN LOGIN" form that pre-RFC clients needed (Postfix broken_sasl_auth_clients).
 */
export function authMechanisms(capabilities: string[] | null): string[] {
  const out: string[] = [];
  for (const c of capabilities ?? []) {
    if (keywordOf(c) !== 'AUTH') continue;
    for (const m of c.slice(5).trim().split(/\s+/)) if (m && !out.includes(m.toUpperCase())) out.push(m.toUpperCase());
  }
  return out;
}
