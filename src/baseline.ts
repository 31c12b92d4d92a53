// --baseline PREV.json: what changed since an earlier run, the "after I changed main.cf" view. The baseline is read once into small snapshots (a few strings per probe), so a
// 10,000-probe file costs little; each destination of this run is compared as it completes.
import { UsageError } from './errors.js';
import type { Change, ChangeKind, ProbeResult } from './types.js';
import { STATUS_ORDER, statusOfFindings } from './status.js';

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
 * Anything else is a usage error naming the file and the place (NDJSON line, array entry) and
 * the field, so a wrong file never reads as "no changes" nor as an internal error.
 */
export function parseBaseline(text: string, name = 'baseline'): Baseline {
  const trimmed = text.trim();
  if (trimmed === '') throw new UsageError(`--baseline ${name}: empty file`);
  const baseline: Baseline = { byDestination: new Map(), probes: 0 };
  const add = (item: unknown, where: string) => {
    const r = checkedResult(item, `--baseline ${where}`);
    const key = destinationKey(r.destination);
    const list = baseline.byDestination.get(key) ?? [];
    list.push(snapshot(r));
    baseline.byDestination.set(key, list);
    baseline.probes++;
  };
  let whole: unknown;
  let isJson = true;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    isJson = false;
  }
  if (isJson) {
    if (Array.isArray(whole)) whole.forEach((item, i) => add(item, `${name}: entry ${i + 1} (index ${i})`));
    else add(whole, `${name}: entry 1`);
    return baseline;
  }
  trimmed.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch {
      throw new UsageError(`--baseline ${name}:${i + 1}: not JSON (expected mxprobe --json or --ndjson output)`);
    }
    add(item, `${name}:${i + 1}`);
  });
  return baseline;
}

// The fields of a ProbeResult (src/types.ts) that snapshot() reads, and their types. Only those:
// a baseline from an older or newer mxprobe with other fields still compares.
type FieldCheck = (value: unknown) => string | null;
const what = (v: unknown): string => {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const string: FieldCheck = (v) => (typeof v === 'string' ? null : `must be a string, not ${what(v)}`);
const optional = (check: FieldCheck): FieldCheck => (v) => (v === undefined || v === null ? null : check(v));
const port: FieldCheck = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535 ? null : `must be a port number, not ${what(v)}`);
const oneOf = (values: readonly string[]): FieldCheck => (v) => (typeof v === 'string' && values.includes(v) ? null : `must be one of ${values.join(', ')}, not ${what(v)}`);

/** Dotted path of the first field that is wrong, with why; null when the record is usable. */
function resultProblem(r: Record<string, unknown>): string | null {
  const field = (path: string, value: unknown, check: FieldCheck): string | null => {
    const problem = check(value);
    return problem ? `"${path}" ${problem}` : null;
  };
  const fields: Array<[string, unknown, FieldCheck]> = [
    ['destination', r.destination, string],
    ['host', r.host, string],
    ['port', r.port, port],
    ['status', r.status, oneOf(STATUS_ORDER)],
    ['address', r.address, optional(string)],
  ];
  for (const [path, value, check] of fields) {
    const p = field(path, value, check);
    if (p) return p;
  }
  if (r.findings !== undefined) {
    if (!Array.isArray(r.findings)) return `"findings" must be an array, not ${what(r.findings)}`;
    for (const [i, f] of r.findings.entries()) {
      if (!isObject(f)) return `"findings[${i}]" must be an object, not ${what(f)}`;
      const p = field(`findings[${i}].code`, f.code, string) ?? field(`findings[${i}].severity`, f.severity, oneOf(['info', 'warning', 'critical']));
      if (p) return p;
    }
  }
  if (r.error != null) {
    if (!isObject(r.error)) return `"error" must be an object or null, not ${what(r.error)}`;
    const p = field('error.code', r.error.code, string);
    if (p) return p;
  }
  if (r.tls != null) {
    if (!isObject(r.tls)) return `"tls" must be an object or null, not ${what(r.tls)}`;
    const p = field('tls.protocol', r.tls.protocol, string);
    if (p) return p;
    if (r.tls.cipher != null) {
      if (!isObject(r.tls.cipher)) return `"tls.cipher" must be an object, not ${what(r.tls.cipher)}`;
      const c = field('tls.cipher.name', r.tls.cipher.name, optional(string));
      if (c) return c;
    }
  }
  if (r.certificates != null) {
    if (!Array.isArray(r.certificates)) return `"certificates" must be an array, not ${what(r.certificates)}`;
    for (const [i, c] of r.certificates.entries()) {
      if (!isObject(c)) return `"certificates[${i}]" must be an object, not ${what(c)}`;
      const p = field(`certificates[${i}].sha256`, c.sha256, string) ?? field(`certificates[${i}].notAfter`, c.notAfter, string);
      if (p) return p;
    }
  }
  if (r.smtp != null) {
    if (!isObject(r.smtp)) return `"smtp" must be an object, not ${what(r.smtp)}`;
    const caps = r.smtp.ehloTls;
    if (caps != null) {
      if (!Array.isArray(caps)) return `"smtp.ehloTls" must be an array or null, not ${what(caps)}`;
      const bad = caps.findIndex((c) => typeof c !== 'string');
      if (bad >= 0) return `"smtp.ehloTls[${bad}]" must be a string, not ${what(caps[bad])}`;
    }
  }
  return null;
}

/** The record as a ProbeResult, or a UsageError saying where and which field is wrong. */
function checkedResult(item: unknown, where: string): ProbeResult {
  if (!isObject(item)) throw new UsageError(`${where} is not an mxprobe result (a JSON object), but ${what(item)}`);
  const problem = resultProblem(item);
  if (problem) {
    const identity = ['destination', 'host', 'port', 'status'].some((k) => item[k] === undefined);
    throw new UsageError(`${where}${identity ? ' is not an mxprobe result (needs destination, host, port, status):' : ':'} ${problem}`);
  }
  return item as unknown as ProbeResult;
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
