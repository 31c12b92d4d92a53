// The parsed shape of a tls_policy table: entries, their attributes, and the problems found.
import type { Level } from '../types.js';

export type KeyKind = 'domain' | 'pattern' | 'host';

export interface PolicyAttrs {
  match?: string[];
  protocols?: string;
  ciphers?: string;
  exclude?: string;
  servername?: string;
  tafile?: string[];
  connectionReuse?: boolean;
  /** Postfix ≥ 3.9. */
  enableRpk?: boolean;
  /** TLSRPT attributes for policy plugins (Postfix ≥ 3.10). */
  policyType?: string;
  policyDomain?: string;
  policyTtl?: number;
  policyString?: string[];
  mxHostPattern?: string[];
  policyFailure?: string;
}

export interface PolicyProblem {
  line: number;
  /** error: Postfix refuses the entry or skips the line; warning: Postfix warns, entry used; info: advice. */
  severity: 'error' | 'warning' | 'info';
  /** Stable, kebab-case. */
  code: string;
  message: string;
}

export interface PolicyEntry {
  /** First and last physical line of the logical line (1-based). */
  line: number;
  endLine: number;
  /** As Postfix stores it: folded to lowercase. */
  key: string;
  /** domain: MX lookup (and parent-domain fallback when no port); pattern: ".domain", any subdomain; host: [host], no MX lookup. */
  keyKind: KeyKind;
  /** The domain, the pattern's domain without the dot, or what is inside the brackets. */
  host: string;
  /** From ":port" (numeric, or a known service name). */
  port?: number;
  /** ":service" as written when it is not numeric. */
  service?: string;
  /** The value text after the key (level and attributes). */
  value: string;
  /** null when the level is not one Postfix knows. */
  level: Level | null;
  attrs: PolicyAttrs;
  /** Attributes in order, as name=value after brace stripping. */
  rawAttrs: { name: string; value: string }[];
  /** false: Postfix marks the policy invalid and defers mail for this destination. */
  valid: boolean;
  /** Postfix's warning for the first error that made the entry invalid. */
  invalidReason?: string;
  /** Line of the earlier entry with the same key; Postfix uses that one, never this. */
  duplicateOf?: number;
}

export interface PolicyTable {
  source: string;
  entries: PolicyEntry[];
  problems: PolicyProblem[];
}

export interface ParseOptions {
  /** Name used in messages (the path). */
  source?: string;
  /** Whether a tafile= path exists; without it tafile= is not checked (Postfix loads the file). */
  fileExists?: (path: string) => boolean;
}
