import { describe, expect, it } from 'vitest';
import { statusOfFindings, worse, worstStatus } from '../src/status.js';

describe('status order: ok < warning < critical < unknown, the worst wins', () => {
  it.each([
    ['ok', 'warning', 'warning'], ['critical', 'warning', 'critical'], ['unknown', 'critical', 'unknown'], ['ok', 'ok', 'ok'],
  ] as const)('worse(%s, %s) = %s', (a, b, w) => expect(worse(a, b)).toBe(w));
  it('worstStatus of nothing is unknown (nothing was checked)', () => expect(worstStatus([])).toBe('unknown'));
  it.each([
    [[], 'ok'], [[{ severity: 'info' }], 'ok'], [[{ severity: 'info' }, { severity: 'warning' }], 'warning'],
    [[{ severity: 'critical' }, { severity: 'warning' }], 'critical'],
  ] as const)('statusOfFindings(%j) = %s', (findings, s) => expect(statusOfFindings(findings)).toBe(s));
});
