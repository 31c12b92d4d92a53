// Every result and option type of mxprobe, defined once (DESIGN.md "Result").
// JSON output is exactly these shapes plus `schemaVersion`; keys are camelCase,
// times are milliseconds, dates ISO 8601 UTC, fingerprints uppercase colon hex.

export const SCHEMA_VERSION = 2; // 2: dane, mtaSts, tlsrpt sections (issue 8)

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

// ---- DANE, MTA-STS, TLSRPT (issue 8; schemaVersion 2). Interfaces above are extended by
// declaration merging, so the sections stay in one place.

/** Postfix's effective level after the TLSA lookup (smtp_tls_policy.c): dane levels resolve to one of these. */
export type DaneEffectiveLevel = 'dane' | 'may' | 'encrypt' | 'defer';

export interface TlsaRecordFacts {
  /** 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE (RFC 6698 §2.1.1, RFC 7218 names). */
  usage: number;
  /** 0 full certificate, 1 SubjectPublicKeyInfo. */
  selector: number;
  /** 0 exact, 1 SHA-256, 2 SHA-512. */
  matchingType: number;
  /** Association data, lowercase hex. */
  data: string;
  /** Presentation form "3 1 1 ab12...". */
  text: string;
  /** Usable by Postfix: usage 2/3, selector 0/1, matching 0/1/2 and data of the right length. */
  usable: boolean;
  /** Why the record is not usable. */
  unusableReason?: string;
  /** The first certificate of the chain (depth 0 = leaf) this record matched, or null. */
  match: { depth: number; subject: string; sha256: string } | null;
  /** With --next-cert: does this record also match the next certificate (or its chain)? */
  matchesNextCert?: boolean;
}

export interface DaneFacts {
  /** "_25._tcp.mx.example.com" as queried (the CNAME-expanded base domain first, RFC 7672 §2.2.2). */
  tlsaName: string | null;
  /** The TLSA base domain the records were found at (reference name for DANE-TA). */
  baseDomain: string | null;
  /** AD bit of the MX answer; null when there was no MX lookup ([host], IP literal). */
  mxSecure: boolean | null;
  /** AD bit of the host's address answers. */
  addressSecure: boolean;
  /** Outcome of the TLSA lookup. */
  lookup: 'secure' | 'insecure' | 'no-records' | 'not-looked-up' | 'dns-error';
  /** AD bit of the TLSA answer (null when not looked up). */
  ad: boolean | null;
  /** rcode of the TLSA answer or the network error. */
  dnsStatus: string | null;
  records: TlsaRecordFacts[];
  /** What Postfix does with this host: dane (authenticate with TLSA), may, encrypt, or defer (no delivery). */
  effectiveLevel: DaneEffectiveLevel;
  /** Why that effective level, one sentence. */
  reason: string;
  /** TLSA authentication result; null when TLS was not reached or the level is not dane. */
  authenticated: boolean | null;
  matchedBy: 'dane-ee' | 'dane-ta' | null;
  /** DANE-TA only: the names checked and whether the leaf names one (DANE-EE ignores names). */
  checkedNames: string[];
  nameMatch: boolean | null;
  /** Why authentication failed (e.g. "no usable record matches the chain", "DANE-TA chain: certificate expired"). */
  failure: string | null;
  /** --next-cert: rollover readiness. */
  nextCert?: {
    sha256: string;
    spkiSha256: string;
    /** A published usable record matches the next certificate. */
    ready: boolean;
    /** Records to publish before the switch (when not ready), presentation form. */
    add: string[];
  };
}

export interface MtaStsFacts {
  /** The policy domain (the next-hop domain of an MX lookup). */
  domain: string;
  /** `_mta-sts.DOMAIN` TXT (RFC 8461 §3.1). */
  txt: { record: string | null; id: string | null; error: string | null };
  /** https://mta-sts.DOMAIN/.well-known/mta-sts.txt (RFC 8461 §3.2). */
  fetch: { url: string; status: number | null; contentType: string | null; bytes: number | null; error: string | null } | null;
  policy: { version: string; mode: 'enforce' | 'testing' | 'none'; mx: string[]; maxAge: number } | null;
  /** The policy `mx` pattern this MX host matched, or null. */
  mxPattern: string | null;
  /** The MX host's certificate is trusted and names the MX host (RFC 8461 §4.2); null without TLS. */
  verified: boolean | null;
  /** Senders that enforce this policy would refuse to deliver to this MX host. */
  wouldRefuse: boolean;
}

export interface TlsrptFacts {
  domain: string;
  /** `_smtp._tls.DOMAIN` TXT, as published (RFC 8460 §3). */
  record: string | null;
  rua: string[];
  error: string | null;
}

export interface ProbeResult {
  /** Levels dane/dane-only, or --next-cert. */
  dane?: DaneFacts;
  /** With --mta-sts. */
  mtaSts?: MtaStsFacts;
  /** With a dane level, --mta-sts or --tlsrpt. */
  tlsrpt?: TlsrptFacts;
}

export interface ProbeOptions {
  /** PEM of the certificate (optionally with its chain) that will replace the current one: check TLSA rollover. */
  nextCert?: string;
  /** Look up and check the MTA-STS policy of the next-hop domain. */
  mtaSts?: boolean;
  /** Look up TLSRPT even when neither DANE nor MTA-STS is in use. */
  tlsrpt?: boolean;
  /** Port of the MTA-STS policy host (default 443; tests point it at a fixture). */
  mtaStsPort?: number;
  /** Deadline of the MTA-STS policy fetch (default 10 s). */
  mtaStsTimeoutMs?: number;
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

// ---- `mxprobe scan DEST` (src/scan/) ----

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
  /** Ephemeral group the server used with it ("X25519", "DH 2048"), when known. */
  keyExchangeGroup: string | null;
}

export interface ScanProtocol {
  protocol: ScanProtocolName;
  /** null: not known (the scan was cut short). */
  accepted: boolean | null;
  /** Accepted ciphers; in the server's preference order when it enforces one. */
  ciphers: ScanCipher[];
  /** Server enforces its own cipher order; null with fewer than two ciphers or for SSLv2. */
  serverOrder: boolean | null;
}

export interface ScanGroup {
  /** "X25519", "P-256", "ffdhe2048" ... */
  name: string;
  accepted: boolean | null;
  /** Protocol the group was tested with. */
  protocol: ScanProtocolName | null;
  bits: number | null;
}

export interface ScanCertificate {
  /** Which key type the client asked for (by signature algorithms / cipher authentication). */
  requested: 'ecdsa' | 'rsa';
  /** The leaf the server sent for that request (null: none, the handshake failed). */
  leaf: CertificateFacts | null;
}

export type ScanTier = 'good' | 'sufficient' | 'phase-out' | 'insufficient';

export interface ScanFinding extends Finding {
  /** The Postfix main.cf setting(s) to change, with a suggested value. */
  setting: string | null;
  /** NCSC-NL tier of the thing found, when the profile has tiers. */
  tier?: ScanTier;
}

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
  status: Status;
  findings: ScanFinding[];
  /** Why the scan could not start or was cut short (421s, closes, timeouts). */
  error: ProbeErrorInfo | null;
  /** Some attempts were not made or not answered: results marked null are unknown. */
  incomplete: boolean;
  /** The handshake with client defaults (all protocols, all ciphers). */
  negotiated: TlsFacts | null;
  protocols: ScanProtocol[];
  groups: ScanGroup[];
  /** DHE parameter size in bits when a DHE cipher is accepted. */
  dheBits: number | null;
  certificates: ScanCertificate[];
  features: ScanFeatures;
  /** Connections made, unanswered (421, closes), retried, and the most open at once. */
  attempts: { connections: number; unavailable: number; retries: number; maxParallel: number };
  timingMs: { total: number };
}

export interface ScanOptions {
  profile?: ScanProfileName;
  /** Connections at once to the server (default 4). */
  perHost?: number;
  ehlo?: string;
  servername?: string;
  starttls?: boolean;
  implicit?: boolean;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  bannerTimeoutMs?: number;
  tlsTimeoutMs?: number;
  /** Cap on the whole scan. */
  deadlineMs?: number;
  family?: 4 | 6;
  resolver?: string[];
  signal?: AbortSignal;
}

// ---- TLSRPT aggregate reports in (`mxprobe tlsrpt`, src/tlsrpt/report.ts; RFC 8460 §4) ----

/** RFC 8460 §4.4 policy-type. */
export type TlsrptPolicyType = 'tlsa' | 'sts' | 'no-policy-found';

export interface TlsrptFailureDetail {
  /** RFC 8460 §4.3 result type ("certificate-expired", "starttls-not-supported", ...). */
  resultType: string;
  sendingMtaIp: string | null;
  receivingMxHostname: string | null;
  receivingMxHelo: string | null;
  receivingIp: string | null;
  failedSessionCount: number;
  additionalInformation: string | null;
  failureReasonCode: string | null;
}

export interface TlsrptPolicyResult {
  policyType: TlsrptPolicyType;
  policyDomain: string;
  /** The policy as the sender saw it (MTA-STS policy lines or TLSA records). */
  policyString: string[];
  mxHost: string[];
  successful: number;
  failed: number;
  failures: TlsrptFailureDetail[];
}

/** Something wrong in a report: the whole file (record null) or one record (`policies[3]`). */
export interface TlsrptReportFinding {
  severity: 'warning' | 'critical';
  record: string | null;
  message: string;
}

export interface TlsrptReport {
  file: string;
  /** The file could not be read as a report at all (not gzip, not JSON, too large); nothing else is set then. */
  error: string | null;
  compressed: boolean;
  /** Bytes of JSON read (after gunzip). */
  bytes: number;
  organization: string | null;
  contact: string | null;
  reportId: string | null;
  dateRange: { start: string | null; end: string | null };
  policies: TlsrptPolicyResult[];
  findings: TlsrptReportFinding[];
}

/** Sessions per policy over many reports, failures by receiving MX and result type. */
export interface TlsrptPolicySummary {
  policyType: TlsrptPolicyType;
  policyDomain: string;
  reports: number;
  successful: number;
  failed: number;
  failures: { receivingMx: string | null; resultType: string; sessions: number }[];
}

export interface TlsrptSummary {
  reports: number;
  /** Files that could not be read, and records skipped. */
  unreadable: number;
  organizations: string[];
  /** Earliest start and latest end over the reports. */
  period: { start: string | null; end: string | null };
  policies: TlsrptPolicySummary[];
}

/** `--reprobe`: a failing MX host of a report, probed today under the reported policy type. */
export interface TlsrptReprobe {
  policyType: TlsrptPolicyType;
  policyDomain: string;
  /** null when the report named no receiving MX: every MX host of the domain was probed. */
  mxHost: string | null;
  /** What the reports said: failed sessions by result type. */
  reported: { resultType: string; sessions: number }[];
  /** Today's probes of that MX host (one per address probed); empty when it is no MX of the domain now. */
  results: ProbeResult[];
  /** true: still fails today; false: passes now; null: could not be probed (see note). */
  stillFails: boolean | null;
  note: string | null;
}
