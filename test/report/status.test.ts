import { describe, expect, it } from 'vitest';
import { countStatuses, formatCounts, statusWord, worstStatus } from '../../src/report/status.js';
import { exitCodeFor } from '../../src/commands/process.js';
import type { Status } from '../../src/types.js';

describe('worstStatus', () => {
  it.each<[Status[], Status]>([
    [['ok'], 'ok'],
    [['ok', 'warning', 'ok'], 'warning'],
    [['warning', 'critical'], 'critical'],
    [['critical', 'unknown', 'ok'], 'unknown'],
    [[], 'unknown'],
  ])('%j → %s', (statuses, worst) => {
    expect(worstStatus(statuses)).toBe(worst);
  });
});

describe('exitCodeFor / statusWord', () => {
  it.each<[Status, number, string]>([
    ['ok', 0, 'OK'],
    ['warning', 1, 'WARNING'],
    ['critical', 2, 'CRITICAL'],
    ['unknown', 3, 'UNKNOWN'],
  ])('%s → %i %s', (status, code, word) => {
    expect(exitCodeFor(status)).toBe(code);
    expect(statusWord(status)).toBe(word);
  });
});

describe('counts', () => {
  it('counts every status and formats worst first without zeros', () => {
    const counts = countStatuses([{ status: 'ok' }, { status: 'critical' }, { status: 'ok' }]);
    expect(counts).toEqual({ ok: 2, warning: 0, critical: 1, unknown: 0 });
    expect(formatCounts(counts)).toBe('3 probes: 1 critical, 2 ok');
    expect(formatCounts(countStatuses([{ status: 'ok' }]))).toBe('1 probe: 1 ok');
  });
});
