// The progress line and the streaming summary: pure, with a fake clock.
import { describe, expect, it } from 'vitest';
import { createProgress, progressLine } from '../../src/progress.js';
import { RunTally } from '../../src/report/run-summary.js';
import { okResult } from '../report/sample.js';

describe('progress', () => {
  it.each([
    [0, 100, 0, 0, '0/100 done, 0 failed, 0.0/s'],
    [25, 100, 2, 5000, '25/100 done, 2 failed, 5.0/s, ETA 15 s'],
    [10, 1000, 0, 1000, '10/1000 done, 0 failed, 10.0/s, ETA 1 min 39 s'],
    [1, 10000, 0, 1000, '1/10000 done, 0 failed, 1.0/s, ETA 2 h 47 min'],
    [100, 100, 3, 4000, '100/100 done, 3 failed, 25.0/s'],
  ])('%i/%i, %i failed after %i ms', (done, total, failed, ms, line) => {
    expect(progressLine(done, total, failed, ms)).toBe(line);
  });

  it('one line rewritten in place, at most every interval, and erased at the end', () => {
    let t = 0;
    const out: string[] = [];
    const p = createProgress({ stream: { write: (s: string) => out.push(s) }, total: 4, enabled: true, intervalMs: 200, now: () => t });
    t = 100;
    p.tick(0);
    t = 150;
    p.tick(1); // throttled
    t = 400;
    p.tick(0);
    t = 410;
    p.tick(0); // the last one is always drawn
    p.end();
    expect(out).toEqual([
      '\r1/4 done, 0 failed, 10.0/s, ETA 1 s\x1b[K',
      '\r3/4 done, 1 failed, 7.5/s, ETA 1 s\x1b[K',
      '\r4/4 done, 1 failed, 9.8/s\x1b[K',
      '\r\x1b[K',
    ]);
  });

  it('nothing at all when disabled (stderr not a terminal) or for a single destination', () => {
    const out: string[] = [];
    for (const p of [createProgress({ stream: { write: (s: string) => out.push(s) }, total: 10, enabled: false }),
      createProgress({ stream: { write: (s: string) => out.push(s) }, total: 1, enabled: true })]) {
      p.tick(1);
      p.clear();
      p.end();
    }
    expect(out).toEqual([]);
  });
});

describe('RunTally', () => {
  it('counts by status and error code, the slowest few, and the run facts', () => {
    const t = new RunTally();
    for (let i = 0; i < 8; i++) t.add(okResult({ address: `192.0.2.${i}`, timingMs: { ...okResult().timingMs, total: i * 1000 } }));
    t.add(okResult({ status: 'critical', address: '192.0.2.99', error: { phase: 'connect', code: 'refused', message: '' }, timingMs: { ...okResult().timingMs, total: 1 } }));
    t.add(okResult({ status: 'critical', address: '192.0.2.98', error: { phase: 'banner', code: 'timeout', message: '' }, timingMs: { ...okResult().timingMs, total: 30_000 } }));
    expect(t.worst()).toBe('critical');
    expect(t.failures).toBe(2);
    expect(t.render({ destinations: 10, connections: 12, shared: 1, retried: 2, elapsedMs: 12_345, badLines: 1, notProbed: ['a.example', 'b.example', 'c.example'] }).split('\n')).toEqual([
      '10 probes: 2 critical, 8 ok',
      'errors: 1 refused, 1 timeout',
      'slowest: mx1.example.com[192.0.2.98]:25 30 s, mx1.example.com[192.0.2.7]:25 7.0 s, mx1.example.com[192.0.2.6]:25 6.0 s, mx1.example.com[192.0.2.5]:25 5.0 s, mx1.example.com[192.0.2.4]:25 4.0 s',
      'run: 10 destinations, 12 connections (1 shared), 2 retried, 1 bad line, 12 s',
      'interrupted: 3 destinations not probed: a.example, b.example, c.example',
      '',
    ]);
    expect(new RunTally().worst()).toBe('unknown');
  });
});
