// Every result and option type of mxprobe, defined once (DESIGN.md "Result").
// JSON output is exactly these shapes plus `schemaVersion`; keys are camelCase,
// times are milliseconds, dates ISO 8601 UTC, fingerprints uppercase colon hex.

/**
 * 2: dane, mtaSts, tlsrpt sections. 3: `postfix` (the level outcome) and `changed`; under
 * --fail-on-change `status` stays the server's verdict (docs/json.md "Versions").
 */
export const SCHEMA_VERSION = 3;

export type Status = 'ok' | 'warning' | 'critical' | 'unknown';
export type Mode = 'starttls' | 'implicit' | 'plain';
export type Level = 'none' | 'may' | 'encrypt' | 'fingerprint' | 'verify' | 'secure' | 'dane' | 'dane-only';
export type QuitAfter = 'ehlo' | 'tls' | 'mail' | 'rcpt' | 'data';

export type Phase =
  | 'resolve' | 'connect' | 'banner' | 'ehlo' | 'starttls' | 'handshake'
  | 'ehlo-tls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'quit';

/** Stable error codes, documented in the README. */
export type ErrorCode =
  | 'dns-nxdomain' | 'dns-no-address' | 'dns-error' | 'null-mx'
  | 'refused' | 'unreachable' | 'timeout' | 'closed' | 'reset'
  | 'smtp-reply' | 'starttls-not-offered' | 'starttls-refused' | 'starttls-injection'
  | 'tls-handshake' | 'protocol-violation'
  | 'implicit-tls-suspected' | 'plaintext-on-implicit-port' | 'not-smtp'
  | 'rate-limited'
  | 'aborted' | 'not-probed'
  // SMTP AUTH (RFC 4954) and REQUIRETLS (RFC 8689); a refused AUTH is 'smtp-reply' in phase auth.
  | 'auth-needs-tls' | 'auth-not-offered' | 'auth-server-unverified' | 'requiretls-not-offered';

/** Postfix's log word for a TLS connection (tls_misc.c tls_log_summary()). */
export type ConnectionClass = 'Verified' | 'Trusted' | 'Untrusted' | 'Anonymous';

/** What a Postfix smtp client at the probe's level does with the host (src/levels.ts). */
export interface PostfixOutcome {
  /** The level applied: the requested one, or at dane levels what the TLSA lookup decided. */
  effectiveLevel: Level;
  /** Postfix would hand the mail to this host. */
  deliver: boolean;
  /** ... without TLS (level none, or may without usable TLS). */
  plaintext: boolean;
  /** The TLS connection as Postfix logs it; null without TLS. */
  connectionClass: ConnectionClass | null;
  /**
   * Why not over TLS, or why not at all; null when delivered over TLS. `error`: the probe's error
   * says why; `not-authenticated`: the level's certificate check failed.
   */
  reason: 'error' | 'tls-disabled' | 'dane-required' | 'tls-failed-fallback' | 'starttls-refused' | 'tls-not-offered' | 'not-authenticated' | null;
}

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
  /** The TLS alert the server sent, for tls-handshake (RFC 8446 §6). */
  tlsAlert?: TlsAlert;
}

export interface TlsAlert {
  /** AlertDescription code, e.g. 80. */
  description: number;
  /** RFC 8446 §6 name, e.g. "internal_error". */
  name: string;
}

/** The signature the server made in the handshake (TLS 1.2 ServerKeyExchange, TLS 1.3 CertificateVerify). */
export interface PeerSignature {
  /** SignatureScheme code point (RFC 8446 §4.2.3); null before TLS 1.2, which has no such field. */
  scheme: number | null;
  /** IANA name ("rsa_pss_rsae_sha256"); "rsa_md5_sha1" / "ecdsa_sha1" before TLS 1.2. */
  name: string;
  /** As openssl s_client's "Peer signature type": "RSA-PSS", "RSA", "ECDSA", "Ed25519", "Ed448", "DSA". */
  type: string;
  /** As openssl s_client's "Peer signing digest": "SHA256", "MD5-SHA1"; null for Ed25519/Ed448. */
  digest: string | null;
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
  /** SMTP AUTH, when it was asked for (ProbeOptions.auth). */
  auth?: AuthFacts;
  /** RFC 8689 REQUIRETLS: advertised in the EHLO inside TLS; set once TLS is up. */
  requireTls?: { offered: boolean; requested: boolean };
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
  /** The server's handshake signature (from src/tls/handshake-trace.ts); absent when not traced, null when none was made (RSA key transport, resumption). */
  peerSignature?: PeerSignature | null;
  /** The server sent a CertificateRequest (asked for a client certificate); absent when not traced. */
  certificateRequested?: boolean;
  /**
   * Why the handshake flight could be read only in part (a record it could not decrypt or
   * parse). What was seen is kept; what was not (no signature, no request) is left absent, not
   * reported as "none" or "not requested".
   */
  handshakeTraceError?: string;
  /** Set when a client certificate was configured (ProbeOptions.clientCert). */
  clientCertificate?: ClientCertificateFacts;
}

/** SASL mechanisms mxprobe speaks as a client (RFC 4616, draft-murchison-sasl-login, RFC 2195, RFC 7677). */
export type SaslMechanism = 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'SCRAM-SHA-256';

export interface AuthFacts {
  /** AUTH mechanisms in the EHLO reply before TLS (empty with smtpd_tls_auth_only = yes); null with implicit TLS. */
  offeredBeforeTls: string[] | null;
  /** AUTH mechanisms in the EHLO reply inside TLS; null when TLS was not reached. */
  offeredAfterTls: string[] | null;
  /** The mechanism used; null when no credentials were sent. */
  mechanism: SaslMechanism | null;
  /** Credentials went over a connection without TLS (authInsecure). */
  plaintext: boolean;
  /** The server's final reply (235 accepted, 535 refused, ...); null when AUTH was not sent or not answered. */
  reply: SmtpReply | null;
  authenticated: boolean;
  /** SCRAM only: the server proved it knows the password (RFC 5802 §3 ServerSignature); null for other mechanisms. */
  serverVerified: boolean | null;
}

/** Fingerprints as Postfix computes them with *_tls_fingerprint_digest (tls_fprint.c): uppercase colon hex. */
export interface PostfixFingerprints {
  digest: 'sha256' | 'sha1' | 'md5';
  /** Digest of the certificate DER (relay_clientcerts, check_ccert_access, tls_policy match=). */
  certificate: string;
  /** Digest of the SubjectPublicKeyInfo DER: survives a renewal with the same key. */
  publicKey: string;
}

export interface ClientCertificateFacts {
  /**
   * The server sent a CertificateRequest (smtpd_tls_ask_ccert / smtpd_tls_req_ccert). Visible on the
   * wire in TLS <= 1.2; in TLS 1.3 it is inside the encrypted flight. null: not seen either way.
   */
  requested: boolean | null;
  /** Our certificate went to the server (configured and requested); null when `requested` is null. */
  sent: boolean | null;
  /** The certificate presented. */
  subject: string;
  fingerprints: PostfixFingerprints;
}

/**
 * `mxprobe fingerprint --cert FILE`: a certificate's digests in Postfix's format and the table
 * lines that use them (relay_clientcerts, check_ccert_access, a tls_policy `fingerprint` entry).
 */
export interface FingerprintReport {
  /** The first certificate of the file (the one a client or server presents). */
  subject: string;
  issuer: string;
  notAfter: string;
  /** DNS names (SAN, else CN): the right-hand side of relay_clientcerts and the tls_policy key. */
  names: string[];
  /** Further certificates in the file (its chain): not looked up by Postfix, listed only. */
  chainCertificates: number;
  fingerprints: PostfixFingerprints;
  /** relay_clientcerts (permit_tls_clientcerts): "FINGERPRINT name", certificate then public key. */
  relayClientcerts: string[];
  /** check_ccert_access (access(5)): "FINGERPRINT OK", certificate then public key. */
  checkCcertAccess: string[];
  /** The tls_policy `match=` value of a `fingerprint` entry (certificate|public key). */
  tlsPolicyMatch: string;
}

/** compareRelay: the RCPT replies of the session with the client certificate and of a second one without it. */
export interface RelayComparison {
  withCertificate: CommandReply[];
  /** Empty when the session without the certificate ended before RCPT (see withoutCertificateError). */
  withoutCertificate: CommandReply[];
  withoutCertificateError: ProbeErrorInfo | null;
  /** Every RCPT accepted with the certificate and at least one refused without it; null when not comparable. */
  permittedByCertificate: boolean | null;
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
  /** Certificate and public-key digests in Postfix's format for the run's fingerprintDigest. */
  fingerprints?: PostfixFingerprints;
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
  /** What a Postfix smtp client at this level does with this host (src/levels.ts). */
  postfix: PostfixOutcome;
  /** Attempts made (1 unless retried). */
  attempts?: number;
  /** With --source-address: the local address this connection was made from. */
  sourceAddress?: string;
  /** Levels dane/dane-only, or --next-cert. */
  dane?: DaneFacts;
  /** With --mta-sts. */
  mtaSts?: MtaStsFacts;
  /** With a dane level, --mta-sts or --tlsrpt. */
  tlsrpt?: TlsrptFacts;
  /** With --baseline: what changed since the baseline run (empty when nothing did). */
  changes?: Change[];
  /**
   * With --baseline: true when something changed. `status` stays the server's own verdict;
   * --fail-on-change turns a change into exit code 2, not into a different status.
   */
  changed?: boolean;
  /** compareRelay: RCPT replies with and without the client certificate. */
  relay?: RelayComparison;
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
  /**
   * Read the server's handshake flight for tls.peerSignature and tls.certificateRequested
   * (src/tls/handshake-trace.ts; default true). Off saves ~0.3 ms of CPU per probe; the two
   * fields are then absent from the result (absent means "not traced", never "none").
   */
  handshakeTrace?: boolean;
  /** Force STARTTLS (true) or implicit TLS (false) regardless of port. */
  starttls?: boolean;
  implicit?: boolean;
  /** SNI and name to verify; default: the MX/host name. */
  servername?: string;
  /** PEM text of CA certificates; replaces the bundled roots unless appendCa. */
  ca?: string;
  /** The same, as a file path (what --ca-file gives); every certificate in it must parse. */
  caFile?: string;
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
  /**
   * Called once when a STARTTLS port has sent no greeting after 5 s (the probe goes on waiting,
   * sending nothing): the CLI tells a person that an implicit-TLS port needs --implicit.
   */
  onSilentGreeting?: (target: { host: string; address: string; port: number }) => void;
  signal?: AbortSignal;
  // ---- Submission: SMTP AUTH, client certificates, REQUIRETLS (resolved by src/submission-options.ts)
  /** SMTP AUTH (RFC 4954) inside TLS: a mechanism, or 'auto' (or true, a bare --auth) for the strongest the server offers. */
  auth?: SaslMechanism | 'auto' | true;
  authUser?: string;
  /** For library callers. The CLI never takes a password from argv (ps shows it): MXPROBE_AUTH_PASSWORD or authPasswordFile. */
  authPassword?: string;
  /** A file whose first line is the password. */
  authPasswordFile?: string;
  /** Send AUTH without TLS when TLS was not attempted or not offered (a WARNING); never after TLS failed. */
  authInsecure?: boolean;
  /** Client certificate PEM: the certificate, then its chain; the private key may follow in the same text. */
  clientCert?: string;
  clientCertFile?: string;
  /** The private key PEM, when it is not in clientCert. */
  clientKey?: string;
  clientKeyFile?: string;
  /** Password of an encrypted private key. */
  clientKeyPassword?: string;
  clientKeyPasswordFile?: string;
  /** RFC 8689: send MAIL FROM with REQUIRETLS; refused unless REQUIRETLS is advertised inside TLS. */
  requireTls?: boolean;
  /** With a client certificate and --to: also try the RCPTs without the certificate and report both. */
  compareRelay?: boolean;
}

// ---- DANE (RFC 7672), MTA-STS (RFC 8461), TLSRPT (RFC 8460).

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


// ---- Baseline comparison (--baseline): what changed since an earlier run.

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


// ---- `mxprobe scan DEST`: declared beside the scan, in src/scan/types.ts ----

export type * from './scan/types.js';

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
