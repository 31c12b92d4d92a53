// Result and option types of `mxprobe postfix` (checkPostfix): the configuration as Postfix
// reads it, the certificate files checked before a reload, and per listener what is configured
// against what is served. JSON output is exactly PostfixReport.
import type { CertificateFacts, Finding, Level, ProbeResult, Status } from '../types.js';

/** Where the configuration came from: postconf(1), or main.cf/master.cf read directly. */
export type ConfigSource = 'postconf' | 'files';

export interface PostfixFinding extends Finding {
  /** The Postfix parameter concerned (main.cf or a master.cf -o override), when there is one. */
  parameter: string | null;
  /** The value in the configuration, when it helps (lint, configured vs served). */
  configured?: string | null;
  /** What the server does (configured vs served). */
  served?: string | null;
  /** The likely cause or the fix, in one sentence. */
  cause?: string;
}

/** A master.cf service, as postconf -F lists it (fields, then command and its arguments). */
export interface MasterService {
  /** The service field: "smtp", "submission", "127.0.0.1:2525", "[::1]:smtps" */
  service: string;
  type: string;
  private: string;
  unprivileged: string;
  chroot: string;
  wakeup: string;
  processLimit: string;
  /** The command name ("smtpd", "postscreen"). */
  command: string;
  /** `-o name=value` overrides, unexpanded, in order. */
  overrides: Record<string, string>;
}

/** The smtpd TLS settings a listener runs with, after -o overrides and $name expansion. */
export interface SmtpdTlsSettings {
  /** What smtpd makes of the level (smtpd.c): none, may or encrypt; wrappermode implies encrypt. */
  level: 'none' | 'may' | 'encrypt';
  /** The parameter that decided the level ("smtpd_tls_security_level = encrypt", "smtpd_tls_wrappermode = yes"). */
  levelFrom: string;
  wrappermode: boolean;
  /** TLS required: level encrypt or wrapper mode (smtpd.c var_smtpd_enforce_tls). */
  enforce: boolean;
  /** Effective: smtpd_tls_auth_only, implied by enforce. */
  authOnly: boolean;
  /** smtpd_sasl_auth_enable: AUTH is offered at all. */
  saslEnabled: boolean;
  /** smtpd_tls_ask_ccert, or req_ccert with TLS required: a client certificate is requested. */
  askClientCert: boolean;
  requireClientCert: boolean;
  /** The protocol parameter in force (mandatory_ when TLS is required) and its value. */
  protocols: { parameter: string; value: string };
  /** The cipher grade parameter in force, its value, the exclusions and the OpenSSL list it selects. */
  ciphers: { parameter: string; grade: string; exclude: string; cipherlist: string };
  /** Where the keys and certificates come from: smtpd_tls_chain_files, or the legacy per-algorithm files. */
  certificates: { parameter: string; files: string[] };
  receivedHeader: boolean;
  sessionCache: { database: string; timeout: string };
  loglevel: string;
  /** Every parameter used above, expanded: the "configured" column. */
  parameters: Record<string, string>;
}

export type KeyAlgorithm = 'rsa' | 'ecdsa' | 'dsa' | 'ed25519' | 'ed448' | 'unknown';

/** One key with its certificate chain, as Postfix would load it (tls_certkey.c). */
export interface ConfiguredChain {
  /** The file(s) the key and chain came from. */
  files: string[];
  algorithm: KeyAlgorithm;
  /** The leaf first, then the issuers in file order. */
  certificates: CertificateFacts[];
  keyMatches: boolean;
  /** Each certificate is issued by the next one. */
  inOrder: boolean;
  /** Trusted: the last certificate is, or is issued by, a trust anchor. */
  trusted: boolean;
  /** Why not trusted ("missing intermediate: issuer CN=... not in the file"). */
  trustError: string | null;
  /** Names checked (myhostname, --host) and which of them the leaf names. */
  names: { name: string; match: boolean }[];
}

/** The offline check of one listener's certificate configuration. */
export interface CertificateFilesCheck {
  parameter: string;
  files: string[];
  chains: ConfiguredChain[];
  /** Postfix would fail to load this: STARTTLS would answer 454 after the next reload. */
  loadable: boolean;
}

export type RowVerdict = 'ok' | 'differs' | 'not-probed' | 'not-visible' | 'failed';

/** One line of a listener's "configured | served | verdict" table. */
export interface ComparisonRow {
  /** What is compared ("certificate (ECDSA)", "TLSv1.1", "STARTTLS", "AUTH before TLS"). */
  check: string;
  parameter: string | null;
  configured: string;
  served: string | null;
  verdict: RowVerdict;
  note?: string;
}

/** What the listener serves, as probed. */
export interface ServedFacts {
  /** The probe at the chosen level (mxprobe's verdict of this listener). */
  probe: ProbeResult;
  /** MAIL before STARTTLS: the reply code (530 when TLS is required), null when not tried. */
  plaintextMail: { code: number; text: string } | null;
  /** Per protocol: accepted, refused, or null (unknown). */
  protocols: Record<string, boolean | null>;
  /** A cipher outside the configured list that the server accepted (null: none, or not tried). */
  cipherOutsideGrade: string | null;
  /** The leaf served for an ECDSA and for an RSA request. */
  leaves: { ecdsa: CertificateFacts | null; rsa: CertificateFacts | null };
  /** A CertificateRequest in the server's handshake flight (TLS 1.2 or 1.3); null without a handshake. */
  clientCertRequested: boolean | null;
  connections: number;
  timingMs: number;
}

export interface PostfixListener {
  /** master.cf service field. */
  service: string;
  /** syslog_name override, else the service name: how the admin tells them apart. */
  label: string;
  command: string;
  /** The bind address from the service name or inet_interfaces ("all" = every address). */
  bindAddress: string;
  /** Where mxprobe connects (loopback for wildcard binds). */
  address: string;
  port: number;
  mode: 'starttls' | 'implicit';
  overrides: Record<string, string>;
  settings: SmtpdTlsSettings;
  files: CertificateFilesCheck | null;
  rows: ComparisonRow[];
  served: ServedFacts | null;
  status: Status;
  findings: PostfixFinding[];
}

/** The Postfix SMTP client side (main.cf smtp_tls_*), linted, never probed. */
export interface ClientTlsSettings {
  level: string;
  parameters: Record<string, string>;
  /** smtp_tls_policy_maps tables with a text source mxprobe policy can read. */
  policyMaps: { map: string; sourceFile: string | null; exists: boolean }[];
}

export interface PostfixReport {
  schemaVersion: number;
  kind: 'postfix';
  configDir: string;
  source: ConfigSource;
  /** mail_version as postconf reports it, or the postfixVersion option when reading files. */
  postfixVersion: string | null;
  myhostname: string;
  /** Names each certificate must carry: myhostname and the hosts option. */
  names: string[];
  offline: boolean;
  status: Status;
  /** Configuration-wide findings: lint, postconf's own warnings, the client side. */
  findings: PostfixFinding[];
  listeners: PostfixListener[];
  client: ClientTlsSettings;
  /** What the reader of the report must know (defaults assumed, what could not be seen). */
  notes: string[];
  timingMs: { config: number; files: number; probe: number; total: number };
}

export interface PostfixCheckOptions {
  /** Postfix configuration directory (default: postconf's own default, /etc/postfix). */
  configDir?: string;
  /** More names every certificate must carry, besides myhostname. */
  hosts?: string[];
  /** Check the configuration and the files only: no connection is made. */
  offline?: boolean;
  /** Without postconf: the Postfix version whose defaults apply (default "3.7"). */
  postfixVersion?: string;
  /** postconf binary; false reads main.cf/master.cf directly (default: found on PATH and in /usr/sbin). */
  postconf?: string | false;
  /** PEM file of trust anchors for the chain checks and the probes (default Node's bundled roots). */
  caFile?: string;
  /** The level the served certificate is judged at (default verify). */
  level?: Level;
  warnDays?: number;
  critDays?: number;
  ehlo?: string;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  tlsTimeoutMs?: number;
  signal?: AbortSignal;
}
