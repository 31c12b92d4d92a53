import { describe, expect, it } from 'vitest';
import { verdictLine } from '../../src/report/verdict.js';
import { leafCert, mayNoTlsResult, okResult, timeoutResult, untrustedResult } from './sample.js';

describe('verdictLine', () => {
  it('OK: where, what TLS, and the three certificate facts', () => {
    expect(verdictLine(okResult())).toBe(
      'OK mx1.example.com[192.0.2.1]:25 TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 — trusted, name matches, expires in 61 days',
    );
  });

  it('untrusted: the reason, without repeating the finding that says the same', () => {
    expect(verdictLine(untrustedResult())).toBe(
      'CRITICAL mx1.example.com[192.0.2.1]:25 TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 — untrusted (self-signed), name matches, expires in 300 days',
    );
  });

  it('failure: message with phase/code', () => {
    expect(verdictLine(timeoutResult())).toBe('CRITICAL mx[127.0.0.1]:2525 — timeout waiting for banner after 3000 ms (banner/timeout)');
  });

  it('warning without TLS names the finding', () => {
    expect(verdictLine(mayNoTlsResult())).toBe(
      'WARNING mx.plain.example.org[198.51.100.7]:25 no TLS — STARTTLS not offered, mail goes in plaintext (no-tls)',
    );
  });

  it('warnings not shown as facts are appended with their codes, critical first', () => {
    const r = okResult({
      status: 'critical',
      findings: [
        { severity: 'info', code: 'pipelining', message: 'PIPELINING offered' },
        { severity: 'warning', code: 'auth-before-tls', message: 'AUTH offered before TLS' },
        { severity: 'critical', code: 'starttls-after-tls', message: 'STARTTLS still offered after TLS' },
        { severity: 'warning', code: 'cert-expires-soon', message: 'certificate expires in 61 days' },
      ],
    });
    expect(verdictLine(r)).toBe(
      'CRITICAL mx1.example.com[192.0.2.1]:25 TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 — trusted, name matches, expires in 61 days; ' +
        'STARTTLS still offered after TLS (starttls-after-tls); AUTH offered before TLS (auth-before-tls)',
    );
  });

  it('wrong name, expired, TLS 1.2 with an OpenSSL cipher name and DH key exchange', () => {
    const r = okResult({
      status: 'critical',
      tls: {
        protocol: 'TLSv1.2',
        cipher: { name: 'DHE-RSA-AES256-GCM-SHA384', standardName: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', bits: 256 },
        keyExchange: { type: 'DH', group: null, bits: 2048 },
        servername: 'mx1.example.com',
        alpn: null,
        sessionReused: false,
      },
      certificates: [leafCert({ daysRemaining: -3 })],
      verification: {
        trusted: false,
        error: { reason: 'certificate-expired', openssl: 'CERT_HAS_EXPIRED' },
        hostnameMatch: false,
        matchedName: null,
        checkedNames: ['mx1.example.com'],
        fingerprintMatch: null,
      },
    });
    expect(verdictLine(r)).toBe(
      'CRITICAL mx1.example.com[192.0.2.1]:25 TLSv1.2 DHE-RSA-AES256-GCM-SHA384 DH 2048 — ' +
        'untrusted (certificate-expired), name does not match mx1.example.com, expired 3 days ago',
    );
  });

  it('says the certificate was not judged at level encrypt', () => {
    const r = untrustedResult();
    r.level = 'encrypt';
    r.status = 'ok';
    expect(verdictLine(r)).toMatch(/— untrusted \(self-signed\), name matches, expires in 300 days, certificate not checked at level encrypt$/);
  });

  it('fingerprint level reports the match', () => {
    const r = okResult({ level: 'fingerprint' });
    r.verification!.fingerprintMatch = false;
    r.status = 'critical';
    expect(verdictLine(r)).toContain('— trusted, name matches, fingerprint does not match, expires in 61 days');
  });

  it('adds the reply to an smtp-reply error and escapes server control characters', () => {
    const r = timeoutResult();
    r.error = {
      phase: 'rcpt',
      code: 'smtp-reply',
      message: 'RCPT TO:<b@example.com> refused',
      reply: { code: 550, enhanced: '5.1.1', text: 'no such user\u001b[31m\nsecond line' },
    };
    expect(verdictLine(r)).toBe(
      'CRITICAL mx[127.0.0.1]:2525 — RCPT TO:<b@example.com> refused: 550 5.1.1 no such user\\x1b[31m (rcpt/smtp-reply)',
    );
  });

  it('colours only the status word when asked', () => {
    const line = verdictLine(okResult(), { color: true });
    expect(line.startsWith('\u001b[1m\u001b[32mOK\u001b[39m\u001b[22m mx1.example.com')).toBe(true);
    expect(verdictLine(okResult())).not.toContain('\u001b');
  });
});
