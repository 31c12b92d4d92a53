import { describe, expect, it } from 'vitest';
import { renderPem } from '../../src/report/pem.js';
import { renderQuiet } from '../../src/report/quiet.js';
import { renderTranscript, transcriptFor } from '../../src/report/transcript.js';
import type { TranscriptEntry } from '../../src/types.js';
import { leafCert, okResult, timeoutResult, untrustedResult } from './sample.js';

const entries: TranscriptEntry[] = [
  { t: 0.4, dir: '==', line: 'connected to 192.0.2.1:25' },
  { t: 12, dir: '<-', line: '220 mx1.example.com ESMTP' },
  { t: 12.5, dir: '->', line: 'EHLO probe.example.net' },
  { t: 13.25, dir: '<-', line: '250-mx1.example.com\n250 STARTTLS' },
  { t: 21, dir: '==', line: 'TLS started: TLSv1.3 TLS_AES_256_GCM_SHA384' },
];

describe('renderTranscript', () => {
  it('swaks-style marks, one line per reply line', () => {
    expect(renderTranscript(entries)).toBe(
      '== connected to 192.0.2.1:25\n<- 220 mx1.example.com ESMTP\n-> EHLO probe.example.net\n' +
        '<- 250-mx1.example.com\n<- 250 STARTTLS\n== TLS started: TLSv1.3 TLS_AES_256_GCM_SHA384\n',
    );
  });

  it('aligned ms timestamps when asked', () => {
    const lines = renderTranscript(entries, { timestamps: true }).split('\n');
    expect(lines[0]).toBe('[ 0.4 ms] == connected to 192.0.2.1:25');
    expect(lines[4]).toBe('[13.3 ms] <- 250 STARTTLS');
  });

  it('escapes control characters the server sent', () => {
    expect(renderTranscript([{ t: 1, dir: '<-', line: '220 \u001b[2Jx' }])).toBe('<- 220 \\x1b[2Jx\n');
  });

  it('notes a missing transcript', () => {
    expect(transcriptFor(okResult())).toBe('== no transcript recorded\n');
  });
});

describe('renderPem', () => {
  it('each certificate preceded by "# n subject"', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const r = okResult({ certificates: [leafCert({ pem }), leafCert({ subject: 'C=US\nCN=R11', pem: `${pem}\n` })] });
    expect(renderPem(r)).toBe(
      `# mx1.example.com[192.0.2.1]:25: 2 certificates as served\n# 0 CN=mx1.example.com\n${pem}\n# 1 C=US, CN=R11\n${pem}\n`,
    );
  });
});

describe('renderQuiet', () => {
  it('verdict lines only', () => {
    expect(renderQuiet([untrustedResult(), timeoutResult()], { color: false })).toBe(
      'CRITICAL mx1.example.com[192.0.2.1]:25 TLSv1.3 TLS_AES_256_GCM_SHA384 X25519 — untrusted (self-signed), name matches, expires in 300 days\n' +
        'CRITICAL mx[127.0.0.1]:2525 — timeout waiting for banner after 3000 ms (banner/timeout)\n',
    );
  });
});
