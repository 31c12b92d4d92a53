// Hand-built ProbeResults for the report tests: each field set on purpose, so expected strings
// can be written out exactly.
import type { CertificateFacts, ProbeResult } from '../../src/types.js';

const FP = (byte: string) => Array.from({ length: 32 }, () => byte).join(':');

export function leafCert(over: Partial<CertificateFacts> = {}): CertificateFacts {
  return {
    subject: 'CN=mx1.example.com',
    issuer: 'C=US\nO=Let\'s Encrypt\nCN=R11',
    serial: '04A1B2C3D4E5F60718293A4B5C6D7E8F9012',
    san: { dns: ['mx1.example.com', 'mail.example.com'], ip: [] },
    notBefore: '2025-01-01T00:00:00.000Z',
    notAfter: '2025-04-01T23:59:59.000Z',
    daysRemaining: 61,
    key: { type: 'EC', bits: 256, curve: 'P-256' },
    signatureAlgorithm: 'sha256WithRSAEncryption',
    sha256: FP('AB'),
    spkiSha256: FP('CD'),
    isCA: false,
    selfSigned: false,
    ...over,
  };
}

export function intermediateCert(): CertificateFacts {
  return leafCert({
    subject: "C=US\nO=Let's Encrypt\nCN=R11",
    issuer: 'C=US\nO=Internet Security Research Group\nCN=ISRG Root X1',
    san: { dns: [], ip: [] },
    notAfter: '2027-03-12T23:59:59.000Z',
    daysRemaining: 770,
    key: { type: 'RSA', bits: 2048, curve: null },
    sha256: FP('11'),
    spkiSha256: FP('22'),
    isCA: true,
  });
}

/** OK: STARTTLS on port 25, TLS 1.3, trusted chain of two, name matches, 61 days left. */
export function okResult(over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    schemaVersion: 1,
    destination: 'example.com',
    nexthop: 'example.com',
    mx: { host: 'mx1.example.com', preference: 10 },
    host: 'mx1.example.com',
    address: '192.0.2.1',
    port: 25,
    mode: 'starttls',
    level: 'verify',
    status: 'ok',
    findings: [],
    error: null,
    smtp: {
      banner: { code: 220, text: 'mx1.example.com ESMTP Postfix' },
      ehlo: ['PIPELINING', 'SIZE 10240000', 'STARTTLS', 'ENHANCEDSTATUSCODES', '8BITMIME'],
      starttls: { offered: true, reply: { code: 220, enhanced: '2.0.0', text: 'Ready to start TLS' } },
      ehloTls: ['PIPELINING', 'SIZE 10240000', 'AUTH PLAIN LOGIN', 'ENHANCEDSTATUSCODES', '8BITMIME'],
      replies: [
        { command: 'EHLO probe.example.net', code: 250, enhanced: null, text: 'mx1.example.com\nPIPELINING\nSIZE 10240000\nSTARTTLS' },
        { command: 'STARTTLS', code: 220, enhanced: '2.0.0', text: 'Ready to start TLS' },
        { command: 'EHLO probe.example.net', code: 250, enhanced: null, text: 'mx1.example.com\nPIPELINING' },
        { command: 'QUIT', code: 221, enhanced: '2.0.0', text: 'Bye' },
      ],
    },
    tls: {
      protocol: 'TLSv1.3',
      cipher: { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', bits: 256 },
      keyExchange: { type: 'ECDH', group: 'X25519', bits: 253 },
      servername: 'mx1.example.com',
      alpn: null,
      sessionReused: false,
    },
    certificates: [leafCert(), intermediateCert()],
    verification: {
      trusted: true,
      error: null,
      hostnameMatch: true,
      matchedName: 'mx1.example.com',
      checkedNames: ['mx1.example.com'],
      fingerprintMatch: null,
    },
    postfix: { effectiveLevel: 'verify', deliver: true, plaintext: false, connectionClass: 'Verified', reason: null },
    timingMs: { resolve: 3, connect: 1, banner: 12, ehlo: 2, starttls: 1, handshake: 9, total: 142 },
    ...over,
  };
}

/** CRITICAL: self-signed certificate that names the host, 300 days left, at level verify. */
export function untrustedResult(): ProbeResult {
  const leaf = leafCert({ issuer: 'CN=mx1.example.com', selfSigned: true, daysRemaining: 300 });
  return okResult({
    status: 'critical',
    certificates: [leaf],
    verification: {
      trusted: false,
      error: { reason: 'self-signed', openssl: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      hostnameMatch: true,
      matchedName: 'mx1.example.com',
      checkedNames: ['mx1.example.com'],
      fingerprintMatch: null,
    },
    findings: [{ severity: 'critical', code: 'self-signed', message: 'certificate is self-signed' }],
  });
}

/** CRITICAL: a server that never sent its banner. */
export function timeoutResult(): ProbeResult {
  return okResult({
    destination: '[mx]:2525',
    nexthop: 'mx',
    mx: null,
    host: 'mx',
    address: '127.0.0.1',
    port: 2525,
    status: 'critical',
    error: { phase: 'banner', code: 'timeout', message: 'timeout waiting for banner after 3000 ms' },
    smtp: { banner: null, ehlo: [], starttls: { offered: false, reply: null }, ehloTls: null, replies: [] },
    tls: null,
    certificates: [],
    verification: null,
    timingMs: { resolve: null, connect: 1, banner: null, ehlo: null, starttls: null, handshake: null, total: 3004 },
  });
}

/** WARNING: level may, the server does not offer STARTTLS, mail would go in plaintext. */
export function mayNoTlsResult(): ProbeResult {
  return okResult({
    destination: 'plain.example.org',
    nexthop: 'plain.example.org',
    mx: { host: 'mx.plain.example.org', preference: 5 },
    host: 'mx.plain.example.org',
    address: '198.51.100.7',
    level: 'may',
    status: 'warning',
    findings: [{ severity: 'warning', code: 'no-tls', message: 'STARTTLS not offered, mail goes in plaintext' }],
    smtp: {
      banner: { code: 220, text: 'mx.plain.example.org ESMTP' },
      ehlo: ['PIPELINING', 'AUTH PLAIN'],
      starttls: { offered: false, reply: null },
      ehloTls: null,
      replies: [
        { command: 'EHLO probe.example.net', code: 250, enhanced: null, text: 'mx.plain.example.org\nPIPELINING\nAUTH PLAIN' },
        { command: 'QUIT', code: 221, enhanced: '2.0.0', text: 'Bye' },
      ],
    },
    tls: null,
    certificates: [],
    verification: null,
    timingMs: { resolve: 2, connect: 1, banner: 5, ehlo: 1, starttls: null, handshake: null, total: 38 },
  });
}
