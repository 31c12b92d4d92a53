// --baseline PREV.json: what changed since an earlier run, the "after I changed main.cf" view. The baseline is read once into small snapshots (a few strings per probe), so a
// 10,000-probe file costs little; each destination of this run is compared as it completes.
import { UsageError } from './errors.js';
import type { Change, ChangeKind, ProbeResult } from './types.js';
import { statusOfFindings } from './status.js';

/** The facts of one earlier probe that a comparison looks at. */
export interface Snapshot {
  destination: string;
  host: string;
  address: string | null;
  port: number;
  status: string;
  error: string | null;
  tls: boolean;
  protocol: string | null;
  cipher: string | null;
  leaf: string | null;
  /** Fingerprints of the certificates after the leaf, as sent. */
  chain: string[];
  notAfter: string | null;
  /** Post-TLS EHLO keywords, sorted; null without TLS. */
  ehloTls: string[] | null;
}

export interface Baseline {
  /** Snapshots by destination (as written in the earlier run). */
  byDestination: Map<string, Snapshot[]>;
  probes: number;
}

/**
 * The server's own verdict. Since schemaVersion 3 `status` always is; a schemaVersion 2 result
 * written under --fail-on-change was forced CRITICAL with a `baseline-changed` finding, and that
 * must not read as a status change in the next run of a cron loop whose output becomes its next
 * baseline: recomputed from the other findings (the status is their worst).
 */
function ownStatus(r: ProbeResult): string {
  const findings = r.findings ?? [];
  if (!findings.some((f) => f.code === 'baseline-changed') || r.status === 'unknown') return r.status;
  return statusOfFindings(findings.filter((f) => f.code !== 'baseline-changed'));
}

/** Destinations compare case-insensitively (host names are; the run lowercases its list too). */
const destinationKey = (d: string): string => d.toLowerCase();

export function snapshot(r: ProbeResult): Snapshot {
  const [leaf, ...chain] = r.certificates ?? [];
  return {
    destination: r.destination,
    host: r.host,
    address: r.address ?? null,
    port: r.port,
    status: ownStatus(r),
    error: r.error?.code ?? null,
    tls: r.tls != null,
    protocol: r.tls?.protocol ?? null,
    cipher: r.tls?.cipher?.name ?? null,
    leaf: leaf?.sha256 ?? null,
    chain: chain.map((c) => c.sha256),
    notAfter: leaf?.notAfter ?? null,
    ehloTls: r.smtp?.ehloTls ? [...r.smtp.ehloTls].sort() : null,
  };
}

/**
 * A JSON array (mxprobe --json), one JSON object, or NDJSON (mxprobe --ndjson) of ProbeResults.
 * Anything else is a usage error naming the line, so a wrong file never reads as "no changes".
 */
export function parseBaseline(text: string, name = 'baseline'): Baseline {
  const trimmed = text.trim();
  let items: unknown[];
  if (trimmed === '') throw new UsageError(`--baseline ${name}: empty file`);
  try {
    const whole: unknown = JSON.parse(trimmed);
    items = Array.isArray(whole) ? whole : [whole];
  } catch {
    items = [];
    trimmed.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        items.push(JSON.parse(line));
      } catch {
        throw new UsageError(`--baseline ${name}:${i + 1}: not JSON (expected mxprobe --json or --ndjson output)`);
      }
    });
  }
  const baseline: Baseline = { byDestination: new Map(), probes: 0 };
  items.forEach((item, i) => {
    const r = item as Partial<ProbeResult>;
    if (!r || typeof r !== 'object' || typeof r.destination !== 'string' || typeof r.host !== 'string' || typeof r.port !== 'number' || typeof r.status !== 'string') {
      throw new UsageError(`--baseline ${name}: entry ${i + 1} is not an mxprobe result (needs destination, host, port, status)`);
    }
    const list = baseline.byDestination.get(destinationKey(r.destination)) ?? [];
    list.push(snapshot(r as ProbeResult));
    baseline.byDestination.set(destinationKey(r.destination), list);
    baseline.probes++;
  });
  return baseline;
}

const same = (a: string[] | null, b: string[] | null) => (a === null || b === null ? a === b : a.length === b.length && a.every((x, i) => x === b[i]));

/** Probe-level changes between an earlier and a current snapshot of the same connection. */
export function compareSnapshots(before: Snapshot, after: Snapshot): Change[] {
  const changes: Change[] = [];
  const add = (kind: ChangeKind, b: string | string[] | null, a: string | string[] | null) =>
    changes.push({ kind, destination: after.destination, host: after.host, address: after.address, port: after.port, before: b, after: a });
  if (before.status !== after.status) add('status', before.status, after.status);
  if (before.error !== after.error) add('error', before.error, after.error);
  if (before.tls !== after.tls) {
    add('tls', before.tls ? before.protocol : null, after.tls ? after.protocol : null);
    return changes; // TLS gained or lost: the TLS facts have nothing to compare
  }
  if (!after.tls) return changes;
  if (before.protocol !== after.protocol) add('protocol', before.protocol, after.protocol);
  if (before.cipher !== after.cipher) add('cipher', before.cipher, after.cipher);
  if (before.leaf !== after.leaf) add('leaf', before.leaf, after.leaf);
  if (!same(before.chain, after.chain)) add('chain', before.chain, after.chain);
  if (before.notAfter !== after.notAfter) add('expiry', before.notAfter, after.notAfter);
  if (!same(before.ehloTls, after.ehloTls)) add('ehlo-tls', before.ehloTls, after.ehloTls);
  return changes;
}

/** Destination-level failure (DNS): one result with no address and no MX host. */
const unresolved = (s: Pick<Snapshot, 'address'>) => s.address === null;

/**
 * Compares one destination of this run with the baseline and sets `changes` on each result
 * (destination-level changes — hosts or addresses that vanished — go on the first result).
 * Returns false when the baseline does not know the destination (nothing to compare).
 * `complete` false (the run stopped half-way): vanished hosts are not reported.
 */
export function diffDestination(baseline: Baseline, results: ProbeResult[], complete = true): boolean {
  if (results.length === 0) return true;
  const destination = results[0].destination;
  const earlier = baseline.byDestination.get(destinationKey(destination));
  for (const r of results) r.changes = [];
  if (!earlier) return false;

  const key = (s: { host: string; address: string | null; port: number }) => `${s.host.toLowerCase()} ${s.address ?? '-'} ${s.port}`;
  const now = results.map((r) => ({ r, s: snapshot(r) }));
  // A DNS failure on either side: the host lists are not comparable, only the outcome is.
  if (now.every(({ s }) => unresolved(s)) || earlier.every(unresolved)) {
    const changes = compareSnapshots({ ...earlier[0], tls: false }, { ...now[0].s, tls: false });
    now[0].r.changes = changes;
    for (const r of results) r.changed = r.changes!.length > 0;
    return true;
  }

  // Without --all-addresses each host is probed at its first address that answers, which a
  // round-robin name changes from run to run: a host seen at one address on each side is the
  // same host, compared fact by fact, not an address added plus one removed.
  const hostPort = (x: { host: string; port: number }) => `${x.host.toLowerCase()} ${x.port}`;
  const count = (list: { host: string; port: number }[]) => list.reduce((m, x) => m.set(hostPort(x), (m.get(hostPort(x)) ?? 0) + 1), new Map<string, number>());
  const earlierCount = count(earlier);
  const nowCount = count(now.map(({ s }) => s));
  const byHostPort = new Map(earlier.filter((s) => earlierCount.get(hostPort(s)) === 1).map((s) => [hostPort(s), s]));
  const byKey = new Map(earlier.map((s) => [key(s), s]));
  const earlierHosts = new Set(earlier.map((s) => s.host.toLowerCase()));
  const nowHosts = new Set(now.map(({ s }) => s.host.toLowerCase()));
  const matched = new Set<string>();
  for (const { r, s } of now) {
    const b = byKey.get(key(s)) ?? (nowCount.get(hostPort(s)) === 1 ? byHostPort.get(hostPort(s)) : undefined);
    if (b) {
      matched.add(key(b));
      r.changes!.push(...compareSnapshots(b, s));
    } else {
      const kind: ChangeKind = earlierHosts.has(s.host.toLowerCase()) ? 'address-added' : 'host-added';
      r.changes!.push({ kind, destination, host: s.host, address: s.address, port: s.port, before: null, after: kind === 'host-added' ? s.host : s.address });
    }
  }
  if (complete) {
    for (const b of earlier) {
      if (matched.has(key(b))) continue;
      const kind: ChangeKind = nowHosts.has(b.host.toLowerCase()) ? 'address-removed' : 'host-removed';
      results[0].changes!.push({ kind, destination, host: b.host, address: b.address, port: b.port, before: kind === 'host-removed' ? b.host : b.address, after: null });
    }
  }
  for (const r of results) r.changed = r.changes!.length > 0;
  return true;
}

/** Destinations of the baseline that this run did not probe at all. */
export function vanishedDestinations(baseline: Baseline, seen: ReadonlySet<string>): Change[] {
  const out: Change[] = [];
  const seenKeys = new Set([...seen].map(destinationKey));
  for (const [destination, list] of baseline.byDestination) {
    if (seenKeys.has(destination)) continue;
    const first = list[0];
    out.push({ kind: 'destination-removed', destination, host: first.host, address: first.address, port: first.port, before: destination, after: null });
  }
  return out;
}
