// The parity rule every command obeys: a one-entry tls_policy table and the plain probe of the
// same destination at the same level give the same answer — deliver or not, the status, and how
// Postfix would log the connection. Used against the real Postfix and the real DNSSEC lab.
import { expect } from 'vitest';
import { checkPolicy } from '../../src/policy/check.js';
import { parsePolicyTable } from '../../src/policy/table.js';
import { probeAll } from '../../src/probe.js';
import type { Level, ProbeOptions } from '../../src/types.js';

export interface ParityCase {
  /** What both probe: `[127.0.0.1]:2525`, `example.test:2525`. */
  destination: string;
  level: Level;
  /** Names (verify, secure) or SHA-256 digests (fingerprint). */
  match?: string[];
}

/** Probes `c` both ways and expects the same verdict; returns it for the caller's own checks. */
export async function expectParity(c: ParityCase, base: ProbeOptions): Promise<{ deliver: boolean; status: string }> {
  const sep = c.level === 'fingerprint' ? '|' : ':';
  const entry = `${c.destination} ${c.level}${c.match?.length ? ` match=${c.match.join(sep)}` : ''}`;
  const [results, policy] = await Promise.all([
    probeAll(c.destination, { ...base, level: c.level, ...(c.match?.length && { match: c.match }) }),
    checkPolicy(parsePolicyTable(`${entry}\n`), base, { concurrency: 4, perHost: 4, retries: 0 }),
  ]);
  const [verdict] = policy.verdicts;
  const label = `${entry}\nprobe: ${results.map((r) => `${r.status} ${JSON.stringify(r.postfix)} ${r.findings.map((f) => f.code).join(',')}`).join('; ')}\npolicy: ${verdict.status} ${verdict.because}`;
  // One host (an IP literal, or a domain with one MX): the host's verdict is the entry's.
  expect(results, label).toHaveLength(1);
  const [r] = results;
  expect(verdict.deliver, label).toBe(r.postfix.deliver);
  expect(verdict.state, label).toBe(r.postfix.deliver ? 'deliver' : 'defer');
  expect(verdict.status, label).toBe(r.status);
  expect(verdict.hosts[0]?.tls ?? null, label).toBe(r.postfix.connectionClass);
  expect(verdict.results[0].postfix, label).toEqual(r.postfix);
  return { deliver: r.postfix.deliver, status: r.status };
}
