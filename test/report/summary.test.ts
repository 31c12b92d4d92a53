import { describe, expect, it } from 'vitest';
import { summaryCounts, summaryTable } from '../../src/report/summary.js';
import { mayNoTlsResult, okResult, timeoutResult, untrustedResult } from './sample.js';

const all = () => [okResult(), untrustedResult(), timeoutResult(), mayNoTlsResult()];

describe('summaryTable', () => {
  it('one row per probe, then the counts', () => {
    const out = summaryTable(all(), { color: false });
    const lines = out.trimEnd().split('\n');
    expect(lines.at(-2)).toBe('4 probes: 2 critical, 1 warning, 1 ok');
    expect(lines.at(-1)).toBe('errors: 1 timeout');
    expect(lines[1]).toMatch(/^│ status +│ host\[address\]:port +│ TLS +│ cipher +│ days +│ verdict +│$/);
    expect(out).toMatch(/│ OK +│ mx1\.example\.com +│ TLSv1\.3 +│ TLS_AES_256_ +│ 61 +│ trusted, name matches +│\n│ +│ \[192\.0\.2\.1\]:25 +│ +│ GCM_SHA384 +│/);
    expect(out).toMatch(/│ CRITICAL +│ mx\[127\.0\.0\.1\]:2525 +│ - +│ - +│ - +│ timeout waiting for +│/);
    expect(out).toMatch(/│ WARNING +│/);
    expect(out).not.toMatch(/\u001b\[/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('colours status words when asked', () => {
    expect(summaryTable(all(), { color: true })).toContain('\u001b[31mCRITICAL\u001b[39m');
  });

  it('counts by error code, most frequent first', () => {
    const refused = timeoutResult();
    refused.error = { phase: 'connect', code: 'refused', message: 'connection refused' };
    expect(summaryCounts([timeoutResult(), refused, timeoutResult(), okResult()])).toBe(
      '4 probes: 3 critical, 1 ok\nerrors: 2 timeout, 1 refused',
    );
    expect(summaryCounts([])).toBe('0 probes');
  });
});
