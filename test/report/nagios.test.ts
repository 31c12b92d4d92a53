import { describe, expect, it } from 'vitest';
import { renderNagios } from '../../src/report/nagios.js';
import { mayNoTlsResult, okResult, timeoutResult, untrustedResult } from './sample.js';

const thresholds = { warnDays: 21, critDays: 7 };

describe('renderNagios', () => {
  it('one probe: status, summary, time and days perfdata (days thresholds as "N:" ranges)', () => {
    expect(renderNagios(okResult(), thresholds)).toBe(
      'SMTP-TLS OK - mx1.example.com TLSv1.3, trusted, expires in 61 days | time=0.142s;;;0 days=61;21:;7:;0\n',
    );
  });

  it('failure: the error, time only', () => {
    expect(renderNagios([timeoutResult()], thresholds)).toBe(
      'SMTP-TLS CRITICAL - mx: timeout waiting for banner after 3000 ms (banner/timeout) | time=3.004s;;;0\n',
    );
  });

  it('several: worst status, counts, each summary worst first, perfdata per host', () => {
    const second = okResult({ host: 'mx2.example.com', address: '192.0.2.2' });
    second.timingMs.total = 87;
    second.certificates[0] = { ...second.certificates[0], daysRemaining: 15 };
    second.status = 'warning';
    expect(renderNagios([okResult(), second, mayNoTlsResult()], thresholds)).toBe(
      'SMTP-TLS WARNING - 3 probes: 2 warning, 1 ok; ' +
        'WARNING mx2.example.com TLSv1.3, trusted, expires in 15 days; ' +
        'WARNING mx.plain.example.org no TLS, STARTTLS not offered, mail goes in plaintext (no-tls); ' +
        'OK mx1.example.com TLSv1.3, trusted, expires in 61 days | ' +
        'mx1.example.com_time=0.142s;;;0 mx1.example.com_days=61;21:;7:;0 ' +
        'mx2.example.com_time=0.087s;;;0 mx2.example.com_days=15;21:;7:;0 ' +
        'mx.plain.example.org_time=0.038s;;;0\n',
    );
  });

  it('same host at two addresses: labels carry the address, quoted', () => {
    const other = okResult({ address: '192.0.2.9' });
    const out = renderNagios([untrustedResult(), other], thresholds);
    expect(out.startsWith('SMTP-TLS CRITICAL - 2 probes: 1 critical, 1 ok; CRITICAL mx1.example.com[192.0.2.1]:25 TLSv1.3, untrusted (self-signed), expires in 300 days;')).toBe(true);
    expect(out).toContain("'mx1.example.com[192.0.2.9]:25_days'=61;21:;7:;0");
  });

  it('never lets a "|" from the server start the perfdata early', () => {
    const r = timeoutResult();
    r.error = { phase: 'ehlo', code: 'smtp-reply', message: 'EHLO refused: 554 go|away' };
    const out = renderNagios(r, thresholds);
    expect(out.split('|')).toHaveLength(2);
    expect(out).toContain('554 go/away');
  });

  it('no probes is UNKNOWN', () => {
    expect(renderNagios([], thresholds)).toBe('SMTP-TLS UNKNOWN - no probes\n');
  });
});
