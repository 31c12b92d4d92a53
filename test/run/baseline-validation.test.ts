// --baseline files with the wrong types: a usage error naming the file, the place (NDJSON line,
// JSON array entry and index) and the field — never "internal error: number 5 is not iterable".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/baseline.js';
import { UsageError } from '../../src/errors.js';
import { toJson, toNdjsonLine } from '../../src/report/json.js';
import { BUILD_TIMEOUT_MS, builtCli, runCli, STACK, type Cli } from '../cli/helpers.js';
import { okResult } from '../report/sample.js';

/** An NDJSON line of a real-shaped result with `over` merged in (raw JSON values, any type). */
const line = (over: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(toNdjsonLine(okResult())), ...over });
const smtpWith = (over: Record<string, unknown>) => ({ ...okResult().smtp, ...over });

describe('parseBaseline: wrong types name the file, the line and the field', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['certificates: 5', { certificates: 5 }, /^--baseline prev\.ndjson:2: "certificates" must be an array, not number 5$/],
    ['findings: "x"', { findings: 'x' }, /^--baseline prev\.ndjson:2: "findings" must be an array, not the string "x"$/],
    ['a finding that is not an object', { findings: [null] }, /"findings\[0\]" must be an object, not null/],
    ['a finding without a severity', { findings: [{ code: 'x' }] }, /"findings\[0\]\.severity" must be one of info, warning, critical, not missing/],
    ['a certificate without sha256', { certificates: [{ notAfter: '2025-01-01T00:00:00Z' }] }, /"certificates\[0\]\.sha256" must be a string, not missing/],
    ['a certificate that is a string', { certificates: ['AB:CD'] }, /"certificates\[0\]" must be an object, not the string "AB:CD"/],
    ['tls: true', { tls: true }, /"tls" must be an object or null, not boolean true/],
    ['tls without protocol', { tls: { cipher: { name: 'x' } } }, /"tls\.protocol" must be a string, not missing/],
    ['tls.cipher: 3', { tls: { protocol: 'TLSv1.3', cipher: 3 } }, /"tls\.cipher" must be an object, not number 3/],
    ['error: "boom"', { error: 'boom' }, /"error" must be an object or null, not the string "boom"/],
    ['error without code', { error: { phase: 'mail' } }, /"error\.code" must be a string, not missing/],
    ['smtp.ehloTls: "PIPELINING"', { smtp: smtpWith({ ehloTls: 'PIPELINING' }) }, /"smtp\.ehloTls" must be an array or null, not the string "PIPELINING"/],
    ['smtp.ehloTls with a number', { smtp: smtpWith({ ehloTls: ['PIPELINING', 7] }) }, /"smtp\.ehloTls\[1\]" must be a string, not number 7/],
    ['smtp: []', { smtp: [] }, /"smtp" must be an object, not an array/],
    ['port: "25"', { port: '25' }, /"port" must be a port number, not the string "25"/],
    ['port: 70000', { port: 70000 }, /"port" must be a port number, not number 70000/],
    ['status: "fine"', { status: 'fine' }, /"status" must be one of ok, warning, critical, unknown, not the string "fine"/],
    ['address: 1', { address: 1 }, /"address" must be a string, not number 1/],
    ['no destination', { destination: undefined }, /:2 is not an mxprobe result \(needs destination, host, port, status\): "destination" must be a string, not missing/],
  ])('NDJSON %s', (_name, over, message) => {
    const text = `${line({})}\n${line(over)}\n`;
    expect(() => parseBaseline(text, 'prev.ndjson')).toThrow(UsageError);
    expect(() => parseBaseline(text, 'prev.ndjson')).toThrow(message);
  });

  it('JSON array: the entry and its index', () => {
    const text = `[${line({})}, ${line({})}, ${line({ certificates: 5 })}]`;
    expect(() => parseBaseline(text, 'prev.json')).toThrow('--baseline prev.json: entry 3 (index 2): "certificates" must be an array, not number 5');
  });

  it('NDJSON: the line number counts blank lines, as an editor does', () => {
    expect(() => parseBaseline(`${line({})}\n\n\n${line({ findings: 'x' })}\n`, 'p')).toThrow(/^--baseline p:4: /);
  });

  it('a line that is JSON but not an object', () => {
    expect(() => parseBaseline(`${line({})}\n42\n`, 'p')).toThrow('--baseline p:2 is not an mxprobe result (a JSON object), but number 42');
    expect(() => parseBaseline('[1]', 'p')).toThrow('--baseline p: entry 1 (index 0) is not an mxprobe result (a JSON object), but number 1');
  });

  it('the fields the comparison does not read may be anything (older or newer mxprobe)', () => {
    const b = parseBaseline(`${line({ verification: 'whatever', timingMs: 5, dane: [1], mx: 'x' })}\n`, 'p');
    expect(b.probes).toBe(1);
    expect(parseBaseline(toJson([okResult(), okResult({ tls: null, certificates: [], error: { phase: 'connect', code: 'refused', message: '' } })]), 'p').probes).toBe(2);
  });
});

describe('--baseline with wrong types, through the CLI', () => {
  let cli: Cli;
  let tmp: string;
  beforeAll(async () => {
    cli = await builtCli();
    tmp = mkdtempSync(join(tmpdir(), 'mxprobe-baseline-validation-'));
  }, BUILD_TIMEOUT_MS);
  afterAll(() => {
    cli?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it.each([
    ['certificates: 5', { certificates: 5 }, '"certificates" must be an array, not number 5'],
    ['findings: "x"', { findings: 'x' }, '"findings" must be an array, not the string "x"'],
  ])('%s → exit 3, one line naming file, line and field, before any probe', async (_name, over, field) => {
    const file = join(tmp, 'prev.ndjson');
    writeFileSync(file, `${line({})}\n${line(over)}\n`);
    // a closed port: the run must stop at the usage error, not try to connect
    const r = await runCli(cli.bin, ['--baseline', file, '[127.0.0.1]:1']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${file}:2: ${field}`);
    expect(r.stderr).not.toMatch(/internal error/i);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});
