// RFC 8460 aggregate reports in: the `application/tlsrpt+gzip` attachments Google and Microsoft
// send (or the plain JSON). Read as a stream with bounds, so neither a 1 GB file nor a gzip bomb
// is held in memory: the JSON is parsed as it arrives (json-stream.ts), each `policies` element is
// checked on its own (a bad record is a finding, the others still count), and reading stops at
// `maxBytes` of JSON. A file that is no report at all gets `error`, never an exception.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { TlsrptFailureDetail, TlsrptPolicyResult, TlsrptPolicyType, TlsrptReport, TlsrptReportFinding } from '../types.js';
import { JsonStream, JsonStreamError } from './json-stream.js';

export interface ReadReportOptions {
  /** Most bytes of JSON read (after gunzip) before giving up (default 64 MiB: real reports are KBs). */
  maxBytes?: number;
  /** Largest single `policies` element kept (default 8 MiB). */
  maxRecordBytes?: number;
}

const POLICY_TYPES: readonly TlsrptPolicyType[] = ['tlsa', 'sts', 'no-policy-found'];
const MiB = 1024 * 1024;

class TooLarge extends Error {}

function emptyReport(file: string): TlsrptReport {
  return { file, error: null, compressed: false, bytes: 0, organization: null, contact: null, reportId: null, dateRange: { start: null, end: null }, policies: [], findings: [] };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/** One `policies` element → a policy result, or the reason it cannot be one (RFC 8460 §4.4). */
export function parsePolicyRecord(v: unknown): { policy: TlsrptPolicyResult; problems: string[] } | { error: string } {
  if (!isObject(v)) return { error: 'not an object' };
  const p = v.policy;
  if (!isObject(p)) return { error: 'no "policy" object' };
  const type = str(p['policy-type']);
  if (!type) return { error: 'no "policy-type"' };
  if (!POLICY_TYPES.includes(type as TlsrptPolicyType)) return { error: `unknown policy-type "${type.slice(0, 40)}" (tlsa, sts or no-policy-found)` };
  const domain = str(p['policy-domain']);
  if (!domain) return { error: 'no "policy-domain"' };
  const s = v.summary;
  if (!isObject(s)) return { error: 'no "summary" object' };
  const successful = count(s['total-successful-session-count']);
  const failed = count(s['total-failure-session-count']);
  if (successful === null || failed === null) return { error: 'summary counts missing or not whole numbers' };
  const problems: string[] = [];
  const strings = (x: unknown, name: string): string[] => {
    if (x === undefined) return [];
    const list = Array.isArray(x) ? x : [x]; // Some senders write one mx-host as a string.
    const ok = list.filter((e): e is string => typeof e === 'string');
    if (ok.length !== list.length) problems.push(`"${name}" has entries that are not strings (ignored)`);
    return ok;
  };
  const failures: TlsrptFailureDetail[] = [];
  const details = v['failure-details'];
  if (details !== undefined && !Array.isArray(details)) problems.push('"failure-details" is not an array (ignored)');
  (Array.isArray(details) ? details : []).forEach((d, i) => {
    const resultType = isObject(d) ? str(d['result-type']) : null;
    const sessions = isObject(d) ? count(d['failed-session-count']) : null;
    if (!isObject(d) || !resultType || sessions === null) {
      problems.push(`failure-details[${i}]: needs "result-type" and a whole "failed-session-count" (skipped)`);
      return;
    }
    failures.push({
      resultType,
      sendingMtaIp: str(d['sending-mta-ip']),
      receivingMxHostname: str(d['receiving-mx-hostname']),
      receivingMxHelo: str(d['receiving-mx-helo']),
      receivingIp: str(d['receiving-ip']),
      failedSessionCount: sessions,
      additionalInformation: str(d['additional-information']),
      failureReasonCode: str(d['failure-reason-code']),
    });
  });
  const detailed = failures.reduce((n, f) => n + f.failedSessionCount, 0);
  if (detailed > failed) problems.push(`failure-details add up to ${detailed} sessions, more than total-failure-session-count ${failed}`);
  return {
    policy: { policyType: type as TlsrptPolicyType, policyDomain: domain, policyString: strings(p['policy-string'], 'policy-string'), mxHost: strings(p['mx-host'], 'mx-host'), successful, failed, failures },
    problems,
  };
}

/** Reads one report file (gzip or plain JSON, told apart by the gzip magic bytes, RFC 1952 §2.3.1). */
export async function readTlsrptReport(path: string, o: ReadReportOptions = {}): Promise<TlsrptReport> {
  const report = emptyReport(path);
  const file = createReadStream(path);
  try {
    const first = await firstBytes(file);
    report.compressed = first[0] === 0x1f && first[1] === 0x8b;
    if (!report.compressed && /\.gz$/i.test(path)) throw new Error('not gzip (the file name ends in .gz but the data has no gzip header)');
    const source: Readable = report.compressed ? file.pipe(createGunzip()) : file;
    if (report.compressed) file.on('error', (err) => source.destroy(err));
    await parseStream(source, report, o.maxBytes ?? 64 * MiB, o.maxRecordBytes ?? 8 * MiB);
  } catch (err) {
    report.error = describe(err, report);
    report.policies = [];
  } finally {
    file.destroy();
  }
  return report;
}

function describe(err: unknown, r: TlsrptReport): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') return `cannot read: ${e.code}`;
  if (err instanceof TooLarge || err instanceof JsonStreamError) return e.message;
  if (e.code?.startsWith('Z_')) return `not valid gzip: ${e.message}`;
  return r.compressed ? `gzip: ${e.message}` : e.message;
}

/** The first bytes of the file without consuming them (they are unshifted back). */
function firstBytes(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onReadable = () => {
      const chunk = stream.read() as Buffer | null;
      cleanup();
      if (chunk) stream.unshift(chunk);
      resolve(chunk ?? Buffer.alloc(0));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.alloc(0));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    stream.once('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
}

async function parseStream(source: Readable, report: TlsrptReport, maxBytes: number, maxRecordBytes: number): Promise<void> {
  const findings: TlsrptReportFinding[] = report.findings;
  let sawPolicies = false;
  const parser = new JsonStream({
    member(key, value, skipped) {
      if (skipped) return findings.push({ severity: 'warning', record: key, message: `member ${skipped}` });
      if (key === 'organization-name') report.organization = str(value);
      else if (key === 'contact-info') report.contact = str(value);
      else if (key === 'report-id') report.reportId = str(value);
      else if (key === 'date-range' && isObject(value)) report.dateRange = { start: str(value['start-datetime']), end: str(value['end-datetime']) };
      else if (key === 'policies') findings.push({ severity: 'critical', record: 'policies', message: '"policies" is not an array' });
    },
    arrayEnd() {
      sawPolicies = true;
    },
    element(_key, index, value, skipped) {
      const record = `policies[${index}]`;
      if (skipped) return findings.push({ severity: 'critical', record, message: `record ${skipped}` });
      const parsed = parsePolicyRecord(value);
      if ('error' in parsed) return findings.push({ severity: 'critical', record, message: `${parsed.error}: record skipped` });
      report.policies.push(parsed.policy);
      for (const m of parsed.problems) findings.push({ severity: 'warning', record, message: m });
    },
  }, { streamArrays: ['policies'], memberBudget: MiB, elementBudget: maxRecordBytes });

  const decoder = new StringDecoder('utf8');
  let started = false;
  for await (const chunk of source) {
    const buf = chunk as Buffer;
    report.bytes += buf.length;
    if (report.bytes > maxBytes) throw new TooLarge(`larger than ${Math.round(maxBytes / MiB)} MiB of JSON${report.compressed ? ' after gunzip (a gzip bomb?)' : ''}: not read further`);
    let text = decoder.write(buf);
    if (!started && text.length > 0) {
      started = true;
      text = text.replace(/^\uFEFF/, '');
    }
    parser.write(text);
  }
  parser.write(decoder.end());
  parser.end();
  // RFC 8460 §4.4: these members are required.
  const missing = [
    ['organization-name', report.organization], ['date-range', report.dateRange.start && report.dateRange.end], ['contact-info', report.contact], ['report-id', report.reportId],
  ].filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) findings.push({ severity: 'warning', record: null, message: `missing or invalid: ${missing.join(', ')} (RFC 8460 §4.4)` });
  if (!sawPolicies && !findings.some((f) => f.record === 'policies')) findings.push({ severity: 'critical', record: null, message: 'no "policies" array: nothing to summarise' });
}
