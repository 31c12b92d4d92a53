// The HTML report's data: ProbeResults packed small enough that 10,000 hosts stay under 5 MB.
// Every string goes once into a table and is referenced by index (an intermediate certificate,
// an EHLO reply or a finding message repeats across thousands of hosts); certificates are kept
// once per fingerprint. The page's script (html-client.ts) reads these arrays by position:
// the field order below is the contract between the two.
import type { Change, ProbeResult, Status } from '../types.js';
import { STATUS_ORDER } from '../status.js';
import { postfixAdvice } from './html-advice.js';

/**
 * One probe. 0 destination, 1 host, 2 address, 3 port, 4 mode, 5 level, 6 status (0 ok .. 3 unknown),
 * 7 protocol, 8 cipher, 9 key-exchange group, 10 leaf notAfter (s, or -1), 11 trusted, 12 name matches
 * (1, 0, -1 unknown), 13 error [phase, code, message, advice] or 0, 14 finding indexes, 15 certificate
 * indexes (chain as served), 16 replies [command, code, text line indexes], 17 total ms, 18 change indexes,
 * 19 DANE / MTA-STS line. Strings are indexes into `strings`; -1 is "none".
 */
export type PackedRow = [
  number, number, number, number, number, number, number,
  number, number, number, number, number, number,
  [number, number, number, number] | 0, number[], number[], [number, number, number[]][], number, number[], number,
];

export interface ReportData {
  generatedAt: number;
  warnDays: number;
  critDays: number;
  strings: string[];
  rows: PackedRow[];
  /** [subject, issuer, notAfter s, sha256 (hex without colons), key, SAN indexes, self-signed 0/1, CA 0/1] */
  certs: [number, number, number, number, number, number[], number, number][];
  /** [severity 0 info / 1 warning / 2 critical, code, message, advice] */
  findings: [number, number, number, number][];
  /** [kind, destination, host, address, port, before, after] */
  changes: [number, number, number, number, number, number, number][];
  /** Baseline given (an empty changes list then means "no change"). */
  baseline: boolean;
}

export interface PackOptions {
  changes?: readonly Change[];
  baseline?: boolean;
  generatedAt?: number;
  warnDays?: number;
  critDays?: number;
}

const SEVERITY = { info: 0, warning: 1, critical: 2 } as const;
const tri = (b: boolean | null | undefined) => (b == null ? -1 : b ? 1 : 0);
const seconds = (iso: string | undefined) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? Math.round(t / 1000) : -1;
};
const asText = (v: string | string[] | null) => (v === null ? null : Array.isArray(v) ? v.join(', ') : v);

export function packReport(results: readonly ProbeResult[], o: PackOptions = {}): ReportData {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const s = (v: string | null | undefined): number => {
    if (v == null) return -1;
    let i = stringIndex.get(v);
    if (i === undefined) {
      i = strings.length;
      strings.push(v);
      stringIndex.set(v, i);
    }
    return i;
  };
  const certs: ReportData['certs'] = [];
  const certIndex = new Map<string, number>();
  const findings: ReportData['findings'] = [];
  const findingIndex = new Map<string, number>();
  const changes: ReportData['changes'] = [];
  const changeIndexes = new Map<string, number[]>();

  for (const c of o.changes ?? []) {
    const i = changes.length;
    changes.push([s(c.kind), s(c.destination), s(c.host), s(c.address), c.port, s(asText(c.before)), s(asText(c.after))]);
    const key = `${c.destination.toLowerCase()} ${c.host.toLowerCase()} ${c.port}`;
    changeIndexes.set(key, [...(changeIndexes.get(key) ?? []), i]);
  }

  const rows = results.map((r): PackedRow => {
    const chain = (r.certificates ?? []).map((c) => {
      let i = certIndex.get(c.sha256);
      if (i === undefined) {
        i = certs.length;
        const key = [c.key?.type, c.key?.bits, c.key?.curve].filter((x) => x != null).join(' ');
        const san = [...(c.san?.dns ?? []), ...(c.san?.ip ?? [])].map(s);
        // Colon hex costs a third more; the page puts the colons back.
        const fingerprint = /^([0-9A-F]{2}:)+[0-9A-F]{2}$/.test(c.sha256) ? c.sha256.replace(/:/g, '') : c.sha256;
        certs.push([s(c.subject), s(c.issuer), seconds(c.notAfter), s(fingerprint), s(key), san, c.selfSigned ? 1 : 0, c.isCA ? 1 : 0]);
        certIndex.set(c.sha256, i);
      }
      return i;
    });
    const found = (r.findings ?? []).map((f) => {
      const key = `${f.severity}\u0000${f.code}\u0000${f.message}`;
      let i = findingIndex.get(key);
      if (i === undefined) {
        i = findings.length;
        findings.push([SEVERITY[f.severity] ?? 0, s(f.code), s(f.message), s(postfixAdvice(f.code))]);
        findingIndex.set(key, i);
      }
      return i;
    });
    // By line: an EHLO reply is the host's name and then the same keywords as thousands of others.
    const lines = (text: string) => String(text ?? '').split('\n').map(s);
    const replies = (r.smtp?.replies ?? []).map((x): [number, number, number[]] => [s(x.command), x.code, lines(x.text)]);
    if (r.smtp?.banner) replies.unshift([s('(banner)'), r.smtp.banner.code, lines(r.smtp.banner.text)]);
    const error = r.error ? [s(r.error.phase), s(r.error.code), s(r.error.message), s(postfixAdvice(r.error.code))] as [number, number, number, number] : 0;
    const leaf = r.certificates?.[0];
    const key = `${r.destination.toLowerCase()} ${r.host.toLowerCase()} ${r.port}`;
    return [
      s(r.destination), s(r.host), s(r.address), r.port, s(r.mode), s(r.level), Math.max(0, STATUS_ORDER.indexOf(r.status as Status)),
      s(r.tls?.protocol), s(r.tls?.cipher?.name), s(r.tls?.keyExchange?.group), seconds(leaf?.notAfter),
      tri(r.verification?.trusted), tri(r.verification?.hostnameMatch),
      error, found, chain, replies, r.timingMs?.total ?? -1, changeIndexes.get(key) ?? [], s(policyLine(r)),
    ];
  });
  return {
    generatedAt: o.generatedAt ?? Date.now(),
    warnDays: o.warnDays ?? 21,
    critDays: o.critDays ?? 7,
    strings, rows, certs, findings, changes,
    baseline: o.baseline ?? (o.changes !== undefined),
  };
}

/** One line on DANE and MTA-STS when the run looked them up. */
function policyLine(r: ProbeResult): string | null {
  const parts: string[] = [];
  if (r.dane) parts.push(`DANE: ${r.dane.lookup}, effective level ${r.dane.effectiveLevel}${r.dane.authenticated === null ? '' : r.dane.authenticated ? ', authenticated' : ', not authenticated'}`);
  if (r.mtaSts) parts.push(`MTA-STS: ${r.mtaSts.policy ? `mode ${r.mtaSts.policy.mode}` : 'no policy'}${r.mtaSts.wouldRefuse ? ', enforcing senders would refuse this MX' : ''}`);
  return parts.length ? parts.join(' · ') : null;
}

/**
 * JSON for a `<script type="application/json">` element: `<`, `>` and `&` as \u escapes so no
 * string can end the element or open a comment (HTML §4.12.1.3), U+2028/2029 escaped as well,
 * and DEL, C1, bidi and invisible characters (sanitize.ts's class), so the file itself holds none
 * raw; the page decodes them and shows them as escapes.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u007f-\u009f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
