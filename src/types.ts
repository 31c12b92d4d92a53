// Every result and option type of mxprobe, defined once (DESIGN.md "Result").
// JSON output is exactly these shapes plus `schemaVersion`; keys are camelCase,
// times are milliseconds, dates ISO 8601 UTC, fingerprints uppercase colon hex.

export const SCHEMA_VERSION = 1;

export type Status = 'ok' | 'warning' | 'critical' | 'unknown';
export type Mode = 'starttls' | 'implicit' | 'plain';
export type Level = 'none' | 'may' | 'encrypt' | 'fingerprint' | 'verify' | 'secure' | 'dane' | 'dane-only';
export type QuitAfter = 'ehlo' | 'tls' | 'mail' | 'rcpt' | 'data';

export type Phase =
  | 'resolve' | 'connect' | 'banner' | 'ehlo' | 'starttls' | 'handshake'
  | 'ehlo-tls' | 'mail' | 'rcpt' | 'data' | 'quit';

/** Stable error codes, documented in the README. */
export type ErrorCode =
  | 'dns-nxdomain' | 'dns-no-address' | 'dns-error' | 'null-mx'
  | 'refused' | 'unreachable' | 'timeout' | 'closed' | 'reset'
  | 'smtp-reply' | 'starttls-not-offered' | 'starttls-refused' | 'starttls-injection'
  | 'tls-handshake' | 'protocol-violation'
  | 'implicit-tls-suspected' | 'plaintext-on-implicit-port' | 'not-smtp'
  | 'aborted';

export interface SmtpReply {
  code: number;
  /** RFC 3463 enhanced status code ("2.0.0") when the server sent one, else null. */
  enhanced: string | null;
  /** Reply text, lines joined with "\n", code and enhanced code removed. */
  text: string;
}

export interface CommandReply extends SmtpReply {
  /** The command as sent, with addresses but never message content ("MAIL FROM:<a@x>"). */
  command: string;
}

export interface ProbeErrorInfo {
  phase: Phase;
  code: ErrorCode;
  message: string;
  /** The SMTP reply that caused it, for smtp-reply / starttls-refused. */
  reply?: SmtpReply;
}

export interface Finding {
  severity: 'info' | 'warning' | 'critical';
  /** Stable, kebab-case (e.g. "auth-before-tls", "cert-expires-soon"). */
  code: string;
  message: string;
}

export interface TranscriptEntry {
  /** ms since the probe started */
  t: number;
  /** "->" client sent, "<-" server sent, "==" event (TLS, connect, close) */
  dir: '->' | '<-' | '==';
  line: string;
}

export interface SmtpFacts {
  banner: { code: number; text: string } | null;
  /** EHLO keywords before TLS, as the server sent them ("PIPELINING", "SIZE 10240000"). */
  ehlo: string[];
  /** HELO was used because EHLO was refused. */
  heloFallback?: boolean;
  starttls: { offered: boolean; reply: SmtpReply | null };
  /** EHLO keywords after TLS (null when TLS was not reached). */
  ehloTls: string[] | null;
  /** Keywords gained and lost by the TLS upgrade (by keyword, e.g. "AUTH"). */
  capabilityChanges?: { added: string[]; removed: string[] };
  replies: CommandReply[];
  transcript?: TranscriptEntry[];
}

export interface TlsFacts {
  /** "TLSv1.3" etc, from getProtocol() (never getCipher().version). */
  protocol: string;
  cipher: { name: string; standardName: string; bits: number | null };
  keyExchange: { type: string; group: string | null; bits: number | null } | null;
  /** SNI sent; null when none (IP literal). */
  servername: string | null;
  alpn: string | null;
  sessionReused: boolean;
}

export interface CertificateFacts {
  subject: string;
  issuer: string;
  serial: string;
  san: { dns: string[]; ip: string[] };
  notBefore: string;
  notAfter: string;
  daysRemaining: number;
  key: { type: string; bits: number | null; curve: string | null };
  signatureAlgorithm: string | null;
  /** SHA-256 of the certificate DER, uppercase colon hex. */
  sha256: string;
  /** SHA-256 of the SubjectPublicKeyInfo DER, uppercase colon hex. */
  spkiSha256: string;
  isCA: boolean;
  selfSigned: boolean;
  /** PEM, only with --show-certs. */
  pem?: string;
}

/** RFC 8460-style reasons for a failed verification, stable. */
export type VerifyReason =
  | 'certificate-expired' | 'certificate-not-yet-valid' | 'certificate-not-trusted'
  | 'self-signed' | 'missing-intermediate' | 'certificate-host-mismatch'
  | 'no-certificate' | 'validation-failure';

export interface VerificationFacts {
  trusted: boolean;
  /** Why the chain is not trusted (null when trusted). */
  error: { reason: VerifyReason; openssl: string | null } | null;
  hostnameMatch: boolean;
  /** The certificate name (SAN or CN) that matched a checked name. */
  matchedName: string | null;
  /** The names (or IP) the certificate was checked against. */
  checkedNames: string[];
  /** null when no fingerprint was asked for. */
  fingerprintMatch: boolean | null;
}

export interface ProbeResult {
  schemaVersion: number;
  /** The destination as the user wrote it. */
  destination: string;
  /** Postfix next-hop domain (the domain of an MX lookup, else the host). */
  nexthop: string;
  mx: { host: string; preference: number } | null;
  host: string;
  address: string | null;
  port: number;
  mode: Mode;
  level: Level;
  status: Status;
  findings: Finding[];
  error: ProbeErrorInfo | null;
  smtp: SmtpFacts;
  tls: TlsFacts | null;
  certificates: CertificateFacts[];
  verification: VerificationFacts | null;
  /** Attempts made (1 unless retried). */
  attempts?: number;
  timingMs: {
    resolve: number | null;
    connect: number | null;
    banner: number | null;
    ehlo: number | null;
    starttls: number | null;
    handshake: number | null;
    total: number;
  };
}

/** A destination after parsing, before DNS. */
export interface Destination {
  /** As written by the user. */
  input: string;
  /** Host name or IP literal, without brackets. */
  host: string;
  port: number;
  mode: Mode;
  /** true for `example.com` (MX lookup); false for `[host]`, URLs and IP literals. */
  mxLookup: boolean;
}

/** One concrete connection to make: the output of resolution. */
export interface Target {
  destination: Destination;
  nexthop: string;
  mx: { host: string; preference: number } | null;
  host: string;
  address: string;
  family: 4 | 6;
}

export interface ProbeOptions {
  level?: Level;
  /** EHLO name; default: this host's fully qualified name. */
  ehlo?: string;
  from?: string;
  to?: string[];
  /** Message to send (RFC 5322 text, CRLF or LF). Sending happens only with data or quitAfter 'data'. */
  data?: string | Buffer;
  quitAfter?: QuitAfter;
  pipelining?: boolean;
  /** Force STARTTLS (true) or implicit TLS (false) regardless of port. */
  starttls?: boolean;
  implicit?: boolean;
  /** SNI and name to verify; default: the MX/host name. */
  servername?: string;
  /** PEM text of CA certificates; replaces the bundled roots unless appendCa. */
  ca?: string;
  appendCa?: boolean;
  /** --match values: fingerprints for `fingerprint`, names for `secure`/`verify`. */
  match?: string[];
  fingerprintDigest?: 'sha256' | 'sha1' | 'md5';
  /** Postfix protocol grammar (">=TLSv1.2", "!SSLv3, !TLSv1"). */
  protocols?: string;
  /** Postfix cipher grade (high|medium|low|export|null). */
  ciphers?: string;
  excludeCiphers?: string;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  bannerTimeoutMs?: number;
  tlsTimeoutMs?: number;
  /** Cap for the whole probe. */
  deadlineMs?: number;
  warnDays?: number;
  critDays?: number;
  /** Warn when TLS <= 1.1 was negotiated and this minimum is set (e.g. "TLSv1.2"). */
  minTls?: string;
  family?: 4 | 6;
  /** DNS server(s) "IP" or "IP:PORT" instead of the system resolver. */
  resolver?: string[];
  mxMode?: 'first' | 'all';
  allAddresses?: boolean;
  transcript?: boolean;
  showCerts?: boolean;
  signal?: AbortSignal;
}

// ---- Baseline comparison (issue 6, --baseline): what changed since an earlier run.

/**
 * What changed between the baseline and this run, for one probe (matched by destination, host,
 * address, port) or for the destination's set of MX hosts/addresses. `chain` is the issuer part
 * (certificates after the leaf), so a leaf swap is one `leaf` change, not two.
 */
export type ChangeKind =
  | 'status' | 'error' | 'tls' | 'protocol' | 'cipher' | 'leaf' | 'chain' | 'expiry' | 'ehlo-tls'
  | 'host-added' | 'host-removed' | 'address-added' | 'address-removed' | 'destination-removed';

export interface Change {
  kind: ChangeKind;
  destination: string;
  host: string;
  address: string | null;
  port: number;
  /** Before / after: a status, error code, protocol, cipher, fingerprint, notAfter, or a list (chain, EHLO keywords); null when absent. */
  before: string | string[] | null;
  after: string | string[] | null;
}

export interface ProbeResult {
  /** With --baseline: what changed since the baseline run (empty when nothing did). */
  changes?: Change[];
}
