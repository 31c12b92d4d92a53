// The result and option types of `mxprobe scan DEST`, declared beside the scan and re-exported
// from src/types.ts. Every unit of a scan (protocol, cipher, group, certificate, feature) is
// either a result or says why it was not tested: nothing untested is shown as refused.
import type { CertificateFacts, Finding, Mode, PeerSignature, ProbeErrorInfo, Status, TlsFacts } from '../types.js';

export type ScanProfileName = 'ncsc' | 'mozilla-intermediate' | 'mozilla-modern';
export type ScanProtocolName = 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
/** Postfix cipher grade of a cipher: the lowest `smtpd_tls_ciphers` grade whose list contains it. */
export type ScanCipherGrade = 'high' | 'medium' | 'low' | 'export' | 'null';

export interface ScanCipher {
  /** OpenSSL name ("ECDHE-RSA-AES128-GCM-SHA256"), as sslscan and Postfix's logs print it. */
  name: string;
  /** IANA name ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"). */
  standardName: string;
  /** Wire id, "0xC0,0x2F". */
  id: string;
  bits: number | null;
  /** "ECDH", "DH", "RSA", "any" (TLS 1.3) ... */
  keyExchange: string;
  /** "RSA", "ECDSA", "None" (anonymous), "any" (TLS 1.3) ... */
  authentication: string;
  grade: ScanCipherGrade;
  /** No server authentication at all (aNULL). */
  anonymous: boolean;
  /** Ephemeral group the server used with it ("X25519", "P-256", "DH 2048"), when known. */
  keyExchangeGroup: string | null;
}

export interface ScanProtocol {
  protocol: ScanProtocolName;
  /** null: not tested (see untestedReason). */
  accepted: boolean | null;
  /** Accepted ciphers; in the server's preference order when it enforces one. */
  ciphers: ScanCipher[];
  /** Server enforces its own cipher order; null with fewer than two ciphers or for SSLv2. */
  serverOrder: boolean | null;
  /** Every cipher mxprobe can offer at this protocol was settled: accepted (listed) or refused. */
  complete: boolean;
  /** Ciphers mxprobe can offer at this protocol: accepted + refused + untested (0 for SSLv2: a protocol test only). */
  candidates: number;
  /** Candidates never settled (OpenSSL names); empty when complete. */
  untested: string[];
  /** Why the protocol (accepted null) or the `untested` ciphers were not tested; null when nothing was left out. */
  untestedReason: string | null;
}

export interface ScanGroup {
  /** "X25519", "P-256", "ffdhe2048", "X25519MLKEM768" ... */
  name: string;
  /** null: not tested (see untestedReason). */
  accepted: boolean | null;
  /** Protocol the group was tested with. */
  protocol: ScanProtocolName | null;
  /** Size of the classical group; null for the post-quantum hybrids. */
  bits: number | null;
  /** A post-quantum hybrid (ML-KEM combined with X25519 or a NIST curve). */
  hybrid: boolean;
  untestedReason: string | null;
}

export interface ScanCertificate {
  /** Which key type the client asked for (by signature algorithms / cipher authentication). */
  requested: 'ecdsa' | 'rsa';
  /** The leaf the server sent for that request (null: none of that type, or not tested). */
  leaf: CertificateFacts | null;
  /** The handshake signature the server made with it (openssl s_client's "Peer signature type/digest"). */
  signature: PeerSignature | null;
  /** Why the request was not answered (not tested); null when it was. */
  untestedReason: string | null;
}

export type ScanTier = 'good' | 'sufficient' | 'phase-out' | 'insufficient';

export interface ScanFinding extends Finding {
  /** The Postfix main.cf setting(s) to change, with a suggested value. */
  setting: string | null;
  /** NCSC-NL tier of the thing found, when the profile has tiers. */
  tier?: ScanTier;
}

export interface ScanHeartbleed {
  protocol: ScanProtocolName;
  /** null: not tested (the feature's untested entry says why). */
  vulnerable: boolean | null;
}

export type ScanFeatureName =
  | 'sessionIdResumption' | 'ticketResumption' | 'secureRenegotiation' | 'compression' | 'ocspStapling'
  | 'starttlsInjection' | 'fallbackScsv' | 'heartbleed';

export interface ScanFeatures {
  /** Resumption by session ID (TLS <= 1.2, tickets off); null when not testable. */
  sessionIdResumption: boolean | null;
  /** Resumption by session ticket (TLS 1.3 PSK or RFC 5077). */
  ticketResumption: boolean | null;
  /** RFC 5746 renegotiation_info echoed (TLS <= 1.2); null when only TLS 1.3 is spoken. */
  secureRenegotiation: boolean | null;
  /** Compression method the server chose when offered DEFLATE: "none", "deflate", or null. */
  compression: 'none' | 'deflate' | null;
  /** A stapled OCSP response came with the handshake. */
  ocspStapling: boolean | null;
  /** STARTTLS command injection (CVE-2011-0411 class): the server answered a pipelined RSET inside TLS. */
  starttlsInjection: 'vulnerable' | 'not-vulnerable' | null;
  /** Detail for the injection test when it was inconclusive. */
  starttlsInjectionNote?: string;
  /** RFC 7507: a hello below the server's highest version carrying TLS_FALLBACK_SCSV gets inappropriate_fallback. */
  fallbackScsv: boolean | null;
  /** Heartbleed (CVE-2014-0160), as sslscan tests it, per accepted protocol <= TLS 1.2. */
  heartbleed: ScanHeartbleed[];
  /** Features not tested or not applicable, with why (a key here means: the value above is no result). */
  untested: Partial<Record<ScanFeatureName, string>>;
}

export interface ScanAttempts {
  /** TCP connections made. */
  connections: number;
  /** Attempts the server did not answer (421, refusals, closes, timeouts before TLS). */
  unavailable: number;
  /** Attempts made again after an unanswered one. */
  retries: number;
  /** Most connections open at once. */
  maxParallel: number;
  /** Attempts turned away because the server limits connections (src/smtp/rate-limit.ts). */
  rateLimited: number;
  /** Time spent backing off for the server's limit, ms. */
  backoffMs: number;
  /** The scan went one connection at a time after the server's first refusal. */
  adaptive: boolean;
}

export interface ScanResult {
  schemaVersion: number;
  kind: 'scan';
  destination: string;
  host: string;
  address: string | null;
  port: number;
  mode: Mode;
  profile: ScanProfileName;
  /** A --quick scan: protocols, the preferred cipher of each, certificates, injection. */
  quick: boolean;
  status: Status;
  findings: ScanFinding[];
  /** Why the scan failed (nothing learned, or no handshake completes) or was cut short (421s, closes, timeouts). */
  error: ProbeErrorInfo | null;
  /** Some units were not tested: each says why (protocols[].untested, groups[].untestedReason, features.untested). */
  incomplete: boolean;
  /** The handshake with client defaults (all protocols, all ciphers). */
  negotiated: TlsFacts | null;
  protocols: ScanProtocol[];
  groups: ScanGroup[];
  /** Smallest DHE parameter size in bits among the accepted DHE suites (ADH included); null when none. */
  dheBits: number | null;
  certificates: ScanCertificate[];
  features: ScanFeatures;
  attempts: ScanAttempts;
  timingMs: { total: number };
}

export interface ScanOptions {
  profile?: ScanProfileName;
  /** Port for a destination that names none. */
  port?: number;
  /** Connections at once to the server before it refuses one (default 4); one at a time after. */
  perHost?: number;
  /** Protocols, the preferred cipher of each, certificates, injection: a handful of connections. */
  quick?: boolean;
  ehlo?: string;
  servername?: string;
  starttls?: boolean;
  implicit?: boolean;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  bannerTimeoutMs?: number;
  tlsTimeoutMs?: number;
  /** Cap on the whole scan (backing off for a rate-limited server included). */
  deadlineMs?: number;
  family?: 4 | 6;
  resolver?: string[];
  signal?: AbortSignal;
}
