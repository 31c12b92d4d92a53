import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../src/report/color.js';
import { probeTable } from '../../src/report/table.js';
import { mayNoTlsResult, okResult, timeoutResult, untrustedResult } from './sample.js';

const ANSI = /\u001b\[/;
const rowOf = (out: string, label: string) => out.split('\n').find((l) => l.startsWith(`│ ${label.padEnd(16)} │`));

describe('probeTable', () => {
  it('starts with the verdict line and has no ANSI without colour', () => {
    const out = probeTable(okResult(), { color: false });
    expect(out.split('\n')[0]).toBe(
      'OK mx1.example.com[192.0.2.1]:25 TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 — trusted, name matches, expires in 61 days',
    );
    expect(out).not.toMatch(ANSI);
    expect(out.endsWith('┘\n')).toBe(true);
  });

  it('colours when asked, and the text is the same underneath', () => {
    const plain = probeTable(untrustedResult(), { color: false });
    const colored = probeTable(untrustedResult(), { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored).toContain('\u001b[31m'); // red: critical status / untrusted
    expect(stripAnsi(colored)).toBe(plain);
  });

  it('fits in 100 columns for every sample', () => {
    for (const r of [okResult(), untrustedResult(), timeoutResult(), mayNoTlsResult()]) {
      for (const line of probeTable(r, { color: false }).split('\n').slice(1)) expect(line.length).toBeLessThanOrEqual(100);
    }
  });

  it('has every section and the facts a mail admin looks for', () => {
    const out = probeTable(okResult(), { color: false });
    for (const title of ['CONNECTION', 'SMTP', 'TLS', 'CERTIFICATE CHAIN (2 AS SERVED)', 'VERIFICATION']) {
      expect(out).toMatch(new RegExp(`│ ${title.replace(/[()]/g, '\\$&')} +│`));
    }
    expect(rowOf(out, 'port')).toContain('25 (STARTTLS)');
    expect(rowOf(out, 'banner')).toContain('220 mx1.example.com ESMTP Postfix');
    expect(rowOf(out, 'STARTTLS')).toContain('220 2.0.0 Ready to start TLS');
    expect(rowOf(out, 'QUIT')).toContain('221 2.0.0 Bye');
    expect(rowOf(out, 'TLS changed')).toContain('+AUTH PLAIN LOGIN; -STARTTLS');
    expect(rowOf(out, 'key exchange')).toContain('ECDH X25519 253 bits');
    expect(rowOf(out, 'issuer')).toContain("C=US, O=Let's Encrypt, CN=R11");
    expect(rowOf(out, 'SAN')).toContain('DNS:mx1.example.com, DNS:mail.example.com');
    expect(rowOf(out, 'valid')).toContain('2025-01-01 00:00:00Z → 2025-04-01 23:59:59Z, expires in 61 days');
    expect(rowOf(out, 'SHA-256')).toContain('AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB');
    expect(rowOf(out, 'name')).toContain('matches mx1.example.com (checked mx1.example.com)');
    expect(rowOf(out, 'time')).toContain('total 142 ms; resolve=3 connect=1 banner=12 ehlo=2 starttls=1 handshake=9 ms');
    expect(out).toContain('│ #1 intermediate CA');
  });

  it('shows both cipher names for TLS 1.2', () => {
    const r = okResult();
    r.tls!.protocol = 'TLSv1.2';
    r.tls!.cipher = { name: 'ECDHE-RSA-AES256-GCM-SHA384', standardName: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', bits: 256 };
    const out = probeTable(r, { color: false });
    expect(out).toContain('ECDHE-RSA-AES256-GCM-SHA384, 256 bits');
    expect(out).toContain('IANA TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
  });

  it('failure: the error row, no TLS section', () => {
    const out = probeTable(timeoutResult(), { color: false });
    expect(rowOf(out, 'error')).toContain('timeout waiting for banner after 3000 ms (banner/timeout)');
    expect(out).not.toContain('│ TLS ');
    expect(out).not.toContain('CERTIFICATE CHAIN');
  });

  it('untrusted: reason with OpenSSL code, findings section with severity', () => {
    const out = probeTable(untrustedResult(), { color: false });
    expect(rowOf(out, 'trusted')).toContain('no — self-signed (OpenSSL: DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(out).toContain('│ #0 leaf (self-signed)');
    expect(rowOf(out, 'critical')).toContain('certificate is self-signed (self-signed)');
  });

  it('escapes a hostile banner', () => {
    const r = okResult();
    r.smtp.banner = { code: 220, text: 'evil\u001b]0;pwned\u0007 ESMTP' };
    const out = probeTable(r, { color: false });
    expect(out).not.toMatch(/\u001b|\u0007/);
    expect(out).toContain('evil\\x1b]0;pwned\\x07 ESMTP');
  });
});
