// RFC 8460 aggregate reports in: the Google- and Microsoft-shaped fixtures (plain and gzip),
// malformed files (not gzip, broken gzip, invalid JSON, missing fields), and the bounds (a file
// over the limit, a gzip bomb, an oversized record) with memory watched.
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonStream, JsonStreamError } from '../../src/tlsrpt/json-stream.js';
import { readTlsrptReport } from '../../src/tlsrpt/report.js';
import { summariseReports } from '../../src/tlsrpt/summary.js';

const FIXTURES = new URL('../../fixtures/tlsrpt/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-tlsrpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, data: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

describe('JsonStream', () => {
  const docs = [
    '{"a":1,"policies":[{"x":"q\\"uo\\\\te\\u00e9\\ud83d\\ude00"},[1,2.5e3,-0.5],true,null,{}],"b":{"c":[false]}}',
    ' \n{ "policies" : [ ] , "s" : "a,b:{}[]" }\n',
    '{"policies":[{"deep":[[[[{"k":"v"}]]]]}],"n":-12.5E-3}',
  ];
  // Fed in chunks of every size from 1 character: a token cut anywhere reads the same.
  it.each(docs)('%s reads as JSON.parse reads it, whatever the chunking', (doc) => {
    const expected = JSON.parse(doc) as Record<string, unknown>;
    for (const size of [1, 2, 3, 7, 1000]) {
      const members: Record<string, unknown> = {};
      const elements: unknown[] = [];
      const s = new JsonStream({
        member: (k, v) => (members[k] = v),
        element: (_k, _i, v) => elements.push(v),
      }, { streamArrays: ['policies'], memberBudget: 1e6, elementBudget: 1e6 });
      for (let i = 0; i < doc.length; i += size) s.write(doc.slice(i, i + size));
      s.end();
      const { policies, ...rest } = expected;
      expect(members).toEqual(rest);
      expect(elements).toEqual(policies);
    }
  });

  it.each([
    ['{"a":1,}', /character 7: unexpected '}'/],
    ['{"a" 1}', /expected ':'/],
    ['[1]', /not a JSON object/],
    ['{"a":tru}', /unexpected "tru"/],
    ['{"a":"x\u0001"}', /control character/],
    ['{"a":1}{', /after the end/],
    ['{"a":[1', /unexpected end/],
    ['', /empty document/],
    ['{"a":"\\x"}', /bad escape/],
    ['{"a":01}', /unexpected "01"/],
  ])('%j is an error naming the character offset', (doc, message) => {
    const s = new JsonStream({ member: () => {}, element: () => {} }, { streamArrays: [], memberBudget: 1e6, elementBudget: 1e6 });
    expect(() => {
      s.write(doc);
      s.end();
    }).toThrow(JsonStreamError);
    const t = new JsonStream({ member: () => {}, element: () => {} }, { streamArrays: [], memberBudget: 1e6, elementBudget: 1e6 });
    expect(() => {
      t.write(doc);
      t.end();
    }).toThrow(message);
  });

  it('nesting deeper than the cap is an error, not a stack overflow', () => {
    const s = new JsonStream({ member: () => {}, element: () => {} }, { streamArrays: [], memberBudget: 1e9, elementBudget: 1e9 });
    expect(() => s.write(`{"a":${'['.repeat(100_000)}`)).toThrow(/nested deeper than 64/);
  });
});

describe('readTlsrptReport', () => {
  it('a Google-shaped report, plain and gzip: the same policies', async () => {
    const plain = await readTlsrptReport(join(FIXTURES, 'google.json'));
    const gz = await readTlsrptReport(write('google.json.gz', gzipSync(fixture('google.json'))));
    for (const r of [plain, gz]) {
      expect(r.error).toBeNull();
      expect(r.findings).toEqual([]);
      expect(r).toMatchObject({ organization: 'Google Inc.', contact: 'smtp-tls-reporting@google.com', reportId: '2025-03-01T00:00:00Z_sts-fixed.example', dateRange: { start: '2025-03-01T00:00:00Z', end: '2025-03-01T23:59:59Z' } });
      expect(r.policies.map((p) => [p.policyType, p.policyDomain, p.successful, p.failed])).toEqual([
        ['sts', 'sts-fixed.example', 1840, 12], ['tlsa', 'dane-ok.example', 310, 4], ['no-policy-found', 'plain.example', 95, 0],
      ]);
      expect(r.policies[1].failures[0]).toMatchObject({ resultType: 'tlsa-invalid', receivingMxHostname: 'mx.test.example.', failureReasonCode: 'TLSA record does not match the presented certificate' });
    }
    expect(plain.compressed).toBe(false);
    expect(gz.compressed).toBe(true);
    expect(gz.bytes).toBe(fixture('google.json').length);
  });

  it('a Microsoft-shaped report (one line, gzip, mx-host list) and the summary over both', async () => {
    const ms = await readTlsrptReport(write('microsoft.json.gz', gzipSync(fixture('microsoft.json'))));
    expect(ms.error).toBeNull();
    expect(ms.policies[0]).toMatchObject({ policyType: 'sts', policyDomain: 'sts-broken.example', mxHost: ['mx2.test.example', 'mx-old.test.example'], successful: 0, failed: 57 });
    const google = await readTlsrptReport(join(FIXTURES, 'google.json'));
    const s = summariseReports([google, ms, google]);
    expect(s).toMatchObject({ reports: 3, unreadable: 0, organizations: ['Google Inc.', 'Microsoft Corporation'], period: { start: '2025-03-01T00:00:00Z', end: '2025-03-02T00:00:00Z' } });
    expect(s.policies.map((p) => [p.policyType, p.policyDomain, p.reports, p.successful, p.failed])).toEqual([
      ['sts', 'sts-broken.example', 1, 0, 57], ['sts', 'sts-fixed.example', 2, 3680, 24], ['tlsa', 'dane-ok.example', 2, 620, 8], ['no-policy-found', 'plain.example', 2, 190, 0],
    ]);
    expect(s.policies[0].failures).toEqual([
      { receivingMx: 'mx2.test.example', resultType: 'certificate-expired', sessions: 41 },
      { receivingMx: 'mx-old.test.example', resultType: 'starttls-not-supported', sessions: 12 },
      { receivingMx: 'mx2.test.example', resultType: 'validation-failure', sessions: 4 },
    ]);
    // The trailing dot of "mx.test.example." does not make a second MX host.
    expect(s.policies[2].failures).toEqual([{ receivingMx: 'mx.test.example', resultType: 'tlsa-invalid', sessions: 8 }]);
  });

  it.each([
    ['not gzip', 'r.json.gz', 'this is not gzip', /^not gzip/],
    ['broken gzip', 'r2.json.gz', Buffer.concat([gzipSync('{"a":1}').subarray(0, 10), Buffer.from('garbage garbage garbage')]), /gzip/],
    ['invalid JSON', 'r.json', '{"organization-name": "x", "policies": [}', /^invalid JSON at character 40: unexpected '}'/],
    ['truncated JSON', 'r3.json', fixture('google.json').subarray(0, 300), /unexpected end of the document/],
    ['a JSON array', 'r4.json', '[{"policy":{}}]', /not a JSON object/],
    ['an empty file', 'r5.json', '', /empty document/],
    ['a missing file', null, '', /^cannot read: ENOENT$/],
  ])('%s: a one-line error, no policies', async (_, name, data, message) => {
    const path = name ? write(name, data) : join(dir, 'absent.json');
    const r = await readTlsrptReport(path);
    expect(r.error).toMatch(message);
    expect(r.error!.split('\n')).toHaveLength(1);
    expect(r.policies).toEqual([]);
  });

  it('bad records are findings; the good records still count', async () => {
    const doc = {
      'organization-name': 'Example Sender',
      'date-range': { 'start-datetime': '2025-03-01T00:00:00Z' },
      policies: [
        { policy: { 'policy-domain': 'a.example' }, summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 0 } },
        { policy: { 'policy-type': 'sts', 'policy-domain': 'b.example' }, summary: { 'total-successful-session-count': -1, 'total-failure-session-count': 0 } },
        { policy: { 'policy-type': 'dmarc', 'policy-domain': 'c.example' }, summary: {} },
        'not a record',
        {
          policy: { 'policy-type': 'sts', 'policy-domain': 'ok.example', 'mx-host': 'mx.ok.example' },
          summary: { 'total-successful-session-count': 10, 'total-failure-session-count': 2 },
          'failure-details': [{ 'result-type': 'certificate-expired', 'failed-session-count': 5 }, { 'failed-session-count': 1 }],
        },
      ],
    };
    const r = await readTlsrptReport(write('records.json', JSON.stringify(doc)));
    expect(r.error).toBeNull();
    expect(r.policies).toHaveLength(1);
    expect(r.policies[0]).toMatchObject({ policyDomain: 'ok.example', mxHost: ['mx.ok.example'], successful: 10, failed: 2 });
    expect(r.findings).toEqual([
      { severity: 'critical', record: 'policies[0]', message: 'no "policy-type": record skipped' },
      { severity: 'critical', record: 'policies[1]', message: 'summary counts missing or not whole numbers: record skipped' },
      { severity: 'critical', record: 'policies[2]', message: 'unknown policy-type "dmarc" (tlsa, sts or no-policy-found): record skipped' },
      { severity: 'critical', record: 'policies[3]', message: 'not an object: record skipped' },
      { severity: 'warning', record: 'policies[4]', message: 'failure-details[1]: needs "result-type" and a whole "failed-session-count" (skipped)' },
      { severity: 'warning', record: 'policies[4]', message: 'failure-details add up to 5 sessions, more than total-failure-session-count 2' },
      { severity: 'warning', record: null, message: 'missing or invalid: date-range, contact-info, report-id (RFC 8460 §4.4)' },
    ]);
    expect(summariseReports([r]).unreadable).toBe(4);
  });

  it('a record over the record bound is skipped as a finding; the next one is read', async () => {
    const big = { policy: { 'policy-type': 'sts', 'policy-domain': 'big.example' }, summary: { 'total-successful-session-count': 0, 'total-failure-session-count': 1 }, 'failure-details': Array.from({ length: 2000 }, () => ({ 'result-type': 'validation-failure', 'failed-session-count': 1 })) };
    const small = { policy: { 'policy-type': 'sts', 'policy-domain': 'small.example' }, summary: { 'total-successful-session-count': 3, 'total-failure-session-count': 0 } };
    const r = await readTlsrptReport(write('big-record.json', JSON.stringify({ 'organization-name': 'x', policies: [big, small] })), { maxRecordBytes: 10_000 });
    expect(r.policies.map((p) => p.policyDomain)).toEqual(['small.example']);
    expect(r.findings[0]).toEqual({ severity: 'critical', record: 'policies[0]', message: 'record larger than 10000 characters, skipped' });
  });

  it('a file over the size bound stops with an error, memory flat', async () => {
    // 40 MB of valid records, read with an 8 MiB bound.
    const path = join(dir, 'huge.json');
    const record = JSON.stringify({ policy: { 'policy-type': 'sts', 'policy-domain': 'x.example' }, summary: { 'total-successful-session-count': 1, 'total-failure-session-count': 0 } });
    const chunk = `${Array(1000).fill(record).join(',')},`;
    await pipeline(Readable.from((function* () {
      yield '{"organization-name":"Huge","policies":[';
      for (let i = 0; i < Math.ceil(40e6 / chunk.length); i++) yield chunk;
      yield `${record}]}`;
    })()), createWriteStream(path));
    const before = process.memoryUsage().rss;
    const r = await readTlsrptReport(path, { maxBytes: 8 * 1024 * 1024 });
    expect(r.error).toBe('larger than 8 MiB of JSON: not read further');
    expect(r.policies).toEqual([]);
    expect(process.memoryUsage().rss - before).toBeLessThan(100e6);
  });

  it('a gzip bomb (300 MiB of JSON in a small file) stops at the default bound', async () => {
    const path = join(dir, 'bomb.json.gz');
    const mb = Buffer.alloc(1024 * 1024, 0x20);
    await pipeline(Readable.from((function* () {
      yield Buffer.from('{"organization-name":');
      for (let i = 0; i < 300; i++) yield mb;
      yield Buffer.from('"x"}');
    })()), createGzip({ level: 1 }), createWriteStream(path));
    expect(readFileSync(path).length).toBeLessThan(3e6);
    const before = process.memoryUsage().rss;
    const r = await readTlsrptReport(path);
    expect(r.error).toBe('larger than 64 MiB of JSON after gunzip (a gzip bomb?): not read further');
    expect(process.memoryUsage().rss - before).toBeLessThan(100e6);
  }, 60_000);
});

describe('renderTlsrpt', () => {
  it('summary lines per policy and MX, problems and unreadable files; server strings cleaned; status', async () => {
    const { renderTlsrpt, tlsrptStatus, tlsrptJson } = await import('../../src/report/tlsrpt.js');
    const ms = await readTlsrptReport(write('ms2.json.gz', gzipSync(fixture('microsoft.json').toString().replace('Microsoft Corporation', 'Evil\\u001b[2J\\u202eCorp'))));
    const bad = await readTlsrptReport(write('bad.json.gz', 'nope'));
    const summary = summariseReports([ms, bad]);
    const text = renderTlsrpt([ms, bad], summary);
    expect(text).not.toMatch(/[\x1b\u202e]/);
    expect(text.split('\n')).toEqual(expect.arrayContaining([
      '1 TLSRPT report from Evil\\x1b[2J\\u202eCorp covering 2025-03-01T00:00:00Z – 2025-03-02T00:00:00Z',
      `UNREADABLE ${bad.file}: not gzip (the file name ends in .gz but the data has no gzip header)`,
      'sts sts-broken.example: 0 sessions ok, 57 failed (100%) in 1 report',
      '  mx2.test.example     certificate-expired        41',
    ]));
    expect(tlsrptStatus([ms, bad], summary)).toBe('unknown');
    expect(tlsrptStatus([ms], summariseReports([ms]))).toBe('warning');
    expect(JSON.parse(tlsrptJson([ms], summariseReports([ms]))).summary.policies[0].failed).toBe(57);
  });
});
