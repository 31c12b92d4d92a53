// The text source of a Postfix tls_policy map, read the way postmap(1) and the smtp(8) client do.
//
// Lines: readllines() (postfix/src/util/readlline.c): a logical line continues while the next
// physical line starts with whitespace; empty lines, whitespace-only lines and lines whose first
// non-blank character is "#" are dropped, even between a line and its continuation. "#" after
// data is data ("example.com may # x" has the attribute "#", which Postfix rejects). CR is
// whitespace like any other, so CRLF files work. Key/value: postmap.c — the key ends at the first
// unquoted whitespace (backslash escapes, double quotes), the value is trimmed; a line without a
// value is skipped ("expected format: key whitespace value"); keys are folded to lowercase
// (DICT_FLAG_FOLD_FIX); with a duplicate key hash/lmdb/cdb keep the FIRST entry and warn
// ("duplicate entry"). Value: tls_policy_lookup_one() (postfix/src/smtp/smtp_tls_policy.c) —
// level, then name=value attributes separated by whitespace or comma, `{ name = value }` for
// values with spaces; any error makes the whole entry invalid and Postfix defers mail for that
// destination with "4.7.5 client TLS configuration problem". Messages below are Postfix's own.
import { UsageError } from '../errors.js';
import type { Level } from '../types.js';
import { parseCipherGrade, parseCipherExclusions } from './ciphers.js';
import { lookupLevel, mustPkix, normalizeDigest, splitMatch } from './levels.js';
import { parsePostfixProtocols } from './protocols.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_LINE_BYTES = 64 * 1024;
/** After this many problems the rest of a (probably binary) file is summarised in one line. */
export const MAX_PROBLEMS = 200;
/** What Postfix answers for a destination whose policy entry is invalid. */
export const POSTFIX_INVALID_POLICY_DSN = '4.7.5 client TLS configuration problem';
/** The lookup table's name in Postfix's warnings (tls_policy->title). */
const TITLE = 'smtp_tls_policy_maps';

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

const SERVICES: Readonly<Record<string, number>> = { smtp: 25, lmtp: 24, submission: 587, smtps: 465, submissions: 465 };

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const SPACE = /[ \t\n\v\f\r]/;

interface PhysLine { start: number; end: number; n: number }
interface LogicalLine { first: number; last: number; text: string | null; reason?: PolicyProblem }

function isBlankOrComment(buf: Uint8Array, l: PhysLine): boolean {
  let i = l.start;
  while (i < l.end && isSpace(buf[i])) i++;
  return i === l.end || buf[i] === 0x23;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * readllines(): join continuation lines, drop comments and blank lines, keep line numbers.
 * A generator over byte offsets, so a file of ten million empty lines costs no memory.
 */
function* logicalLines(buf: Uint8Array, source: string): Generator<LogicalLine> {
  let pos = 0;
  let n = 0;
  // A final "\n" does not start another line (readllines counts that way).
  const nextPhys = (): PhysLine | null => {
    if (pos >= buf.length) return null;
    const nl = buf.indexOf(0x0a, pos);
    const l = { start: pos, end: nl < 0 ? buf.length : nl, n: ++n };
    pos = nl < 0 ? buf.length : nl + 1;
    return l;
  };
  for (;;) {
    const parts: PhysLine[] = [];
    let l: PhysLine | null;
    let last = n;
    while ((l = nextPhys()) !== null) {
      last = l.n;
      if (l.end - l.start > MAX_LINE_BYTES || !isBlankOrComment(buf, l)) parts.push(l);
      // Continue while the next line starts with whitespace ("\n" included) or "#".
      if (parts.length > 0 && pos < buf.length && buf[pos] !== 0x23 && !isSpace(buf[pos])) break;
    }
    if (parts.length === 0) return;
    const first = parts[0].n;
    const where = first === last ? `line ${first}` : `line ${first}-${last}`;
    const long = parts.find((p) => p.end - p.start > MAX_LINE_BYTES);
    if (long) {
      yield { first, last, text: null, reason: { line: long.n, severity: 'error', code: 'line-too-long', message: `${source}, line ${long.n}: line is longer than ${MAX_LINE_BYTES} bytes (${long.end - long.start}) -- ignoring this line` } };
      continue;
    }
    if (parts.some((p) => buf.subarray(p.start, p.end).includes(0))) {
      yield { first, last, text: null, reason: { line: first, severity: 'error', code: 'nul-byte', message: `${source}, ${where}: text after null byte may be ignored -- binary data? ignoring this line` } };
      continue;
    }
    let text: string;
    try {
      text = parts.map((p) => utf8.decode(buf.subarray(p.start, p.end))).join('');
    } catch {
      yield { first, last, text: null, reason: { line: first, severity: 'error', code: 'non-utf8', message: `${source}, ${where}: non-UTF-8 input -- ignoring this line` } };
      continue;
    }
    if (SPACE.test(text[0])) {
      const shown = text.slice(0, 30).replace(/[\r\n]/g, ' ');
      yield { first, last, text: null, reason: { line: first, severity: 'warning', code: 'leading-whitespace', message: `${source}: logical line must not start with whitespace: "${shown}${text.length > 30 ? '...' : ''}"` } };
      continue;
    }
    yield { first, last, text };
  }
}

/** postmap: key up to the first unquoted whitespace; value trimmed. null when quotes are unbalanced. */
function splitKeyValue(text: string): { key: string; value: string } | null {
  let inQuotes = false;
  let i = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      if (++i >= text.length) break;
    } else if (SPACE.test(c)) {
      if (!inQuotes) break;
    } else if (c === '"') inQuotes = !inQuotes;
  }
  if (inQuotes) return null;
  return { key: text.slice(0, i), value: text.slice(i).trim() };
}

/** What kind of next-hop a key names (postconf(5) smtp_tls_policy_maps). */
export function parsePolicyKey(key: string): { keyKind: KeyKind; host: string; port?: number; service?: string } | { error: string } {
  let keyKind: KeyKind;
  let host: string;
  let rest: string;
  if (key.startsWith('[')) {
    const close = key.indexOf(']');
    if (close < 0) return { error: `missing "]" in "${key}"` };
    keyKind = 'host';
    host = key.slice(1, close).replace(/^ipv6:/i, '');
    rest = key.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return { error: `text after "]" in "${key}"` };
    rest = rest.slice(1);
    if (key.endsWith(':')) return { error: `empty port in "${key}"` };
  } else {
    const colon = key.indexOf(':');
    host = colon < 0 ? key : key.slice(0, colon);
    rest = colon < 0 ? '' : key.slice(colon + 1);
    if (colon >= 0 && (rest === '' || rest.includes(':'))) return { error: `"${key}" is neither domain, domain:port, [host] nor [host]:port (IPv6 addresses need brackets)` };
    keyKind = host.startsWith('.') ? 'pattern' : 'domain';
    if (keyKind === 'pattern') {
      if (rest !== '') return { error: `a ".domain" pattern cannot have a port: "${key}"` };
      host = host.slice(1);
    }
  }
  if (host === '') return { error: `empty host name in "${key}"` };
  if (rest === '') return { keyKind, host };
  if (/^\d+$/.test(rest)) {
    const port = Number(rest);
    if (port < 1 || port > 65535) return { error: `port out of range in "${key}"` };
    return { keyKind, host, port };
  }
  const known = SERVICES[rest];
  return known ? { keyKind, host, port: known, service: rest } : { keyKind, host, service: rest };
}

/** mystrtokq(CHARS_COMMA_SP, "{}"): split at separators outside braces. */
function tokenize(value: string): string[] {
  const toks: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of value) {
    if (c === '{') depth++;
    else if (depth > 0 && c === '}') depth--;
    else if (depth === 0 && (c === ',' || SPACE.test(c))) {
      if (cur) toks.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur) toks.push(cur);
  return toks;
}

/** extpar(EXTPAR_FLAG_STRIP | EXTPAR_FLAG_NORMAL_WS) then split_nameval(). */
function nameValue(tok: string): { name: string; value: string } | { error: string } {
  let t = tok;
  if (t.startsWith('{')) {
    let depth = 0;
    let end = -1;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '{') depth++;
      else if (t[i] === '}' && --depth === 0) { end = i; break; }
    }
    if (end < 0) return { error: `missing '}' in "${t}"` };
    if (end !== t.length - 1) return { error: `syntax error after '}' in "${t}"` };
    t = t.slice(1, end).trim().replace(/[ \t\n\v\f\r]+/g, ' ');
  }
  const m = /^[ \t\n\v\f\r]*([^ \t\n\v\f\r=]*)[ \t\n\v\f\r]*(=?)([\s\S]*)$/.exec(t)!;
  if (m[1] === '') return { error: 'missing attribute name' };
  if (m[2] !== '=') return { error: "missing '=' after attribute name" };
  return { name: m[1], value: m[3].trim() };
}

/** valid_hostname(): labels of letters, digits, "-" and "_", not starting/ending with "-", ≤ 255. */
export function validHostname(name: string): boolean {
  if (name.length === 0 || name.length > 255 || /^\d+(\.\d+)*$/.test(name)) return false;
  return name.split('.').every((l) => l.length > 0 && l.length <= 63 && /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(l));
}

/** Postfix's per-entry checks; returns the first error (entry invalid) and collects warnings. */
function parsePolicyValue(entry: PolicyEntry, site: string, opts: ParseOptions, warn: (p: Omit<PolicyProblem, 'line'>) => void): string | undefined {
  const where = `${TITLE}, next-hop destination "${site}"`;
  const fail = (code: string, msg: string) => {
    warn({ severity: 'error', code, message: `${where}: ${msg}` });
    return `${where}: ${msg}`;
  };
  const toks = tokenize(entry.value);
  if (toks.length === 0) return fail('empty-policy', 'invalid empty policy');
  const level = lookupLevel(toks[0]);
  entry.level = level;
  if (!level) return fail('invalid-level', `invalid security level "${toks[0]}"`);
  if (level === 'none') {
    for (const t of toks.slice(1)) warn({ severity: 'warning', code: 'attribute-ignored', message: `${where}: ignoring attribute "${t}" with TLS disabled` });
    return undefined;
  }
  const a = entry.attrs;
  const once = new Set<string>();
  for (const tok of toks.slice(1)) {
    const nv = nameValue(tok);
    if ('error' in nv) return fail('malformed-attribute', `malformed attribute/value pair "${tok}": ${nv.error}`);
    const { value: val } = nv;
    const name = nv.name.toLowerCase();
    entry.rawAttrs.push({ name: nv.name, value: val });
    const single = ['ciphers', 'protocols', 'servername', 'exclude', 'policy_ttl', 'policy_type', 'policy_domain', 'policy_failure'];
    if (single.includes(name)) {
      if (once.has(name)) return fail('repeated-attribute', `attribute "${nv.name}" is specified multiple times`);
      once.add(name);
    }
    switch (name) {
      case 'ciphers':
        if (val === '') return fail('empty-attribute', `attribute "${nv.name}" has empty value`);
        // Postfix finds a bad grade only when it starts TLS: "invalid cipher grade", session aborted.
        try { parseCipherGrade(val); } catch { return fail('invalid-cipher-grade', `invalid cipher grade: "${val}"`); }
        a.ciphers = val;
        break;
      case 'protocols':
        try { parsePostfixProtocols(val); } catch { return fail('invalid-protocols', `Invalid TLS protocol list "${val}": aborting TLS session`); }
        a.protocols = val;
        break;
      case 'servername':
        if (!validHostname(val) && val !== 'hostname' && val !== 'nexthop') {
          return fail('invalid-servername', `"${nv.name}=${val}" specifies an invalid hostname`);
        }
        a.servername = val;
        break;
      case 'match': {
        if (val === '') return fail('empty-attribute', `attribute "${nv.name}" has empty value`);
        if (level !== 'fingerprint' && level !== 'verify' && level !== 'secure') {
          return fail('attribute-invalid-at-level', `attribute "${nv.name}" invalid at security level "${level}"`);
        }
        const values = splitMatch(level, val, 'table');
        if (level === 'fingerprint') {
          for (const v of values) {
            const d = normalizeDigest(v);
            if (d) (a.match ??= []).push(d);
            else warn({ severity: 'warning', code: 'malformed-fingerprint', message: `malformed fingerprint value: ${v.slice(0, 100)}` });
          }
        } else {
          for (const v of values) {
            if (v === '.') warn({ severity: 'warning', code: 'invalid-match-name', message: 'ignoring invalid match name: "."' });
            else (a.match ??= []).push(v.toLowerCase());
          }
        }
        break;
      }
      case 'exclude':
        try { parseCipherExclusions(val); } catch { return fail('invalid-cipher-exclusion', `invalid unary '!+-@' in cipher exclusion: ${val}`); }
        a.exclude = val;
        break;
      case 'tafile':
        if (!mustPkix(level)) return fail('attribute-invalid-at-level', `attribute "${nv.name}" invalid at security level "${level}"`);
        if (val === '') return fail('empty-attribute', `attribute "${nv.name}" has empty value`);
        if (opts.fileExists && !opts.fileExists(val)) return fail('tafile-missing', `cannot open trust-anchor file ${val}: No such file or directory`);
        (a.tafile ??= []).push(val);
        break;
      case 'connection_reuse':
      case 'enable_rpk': {
        const b = val.toLowerCase();
        if (b !== 'yes' && b !== 'no') return fail('bad-attribute-value', `attribute "${nv.name}" has bad value: "${val}"`);
        if (name === 'connection_reuse') a.connectionReuse = b === 'yes';
        else a.enableRpk = b === 'yes';
        break;
      }
      case 'policy_ttl':
        if (!/^\d+$/.test(val) || !Number.isSafeInteger(Number(val))) return fail('bad-attribute-value', `attribute "${nv.name}" has a malformed value: "${val}"`);
        a.policyTtl = Number(val);
        break;
      case 'policy_type':
        if (!['sts', 'no-policy-found'].includes(val.toLowerCase())) return fail('bad-attribute-value', `attribute "${nv.name}" has an unexpected value: "${val}"`);
        a.policyType = val;
        break;
      case 'policy_domain':
        if (!validHostname(val)) return fail('bad-attribute-value', `attribute "${nv.name}" has a malformed value: "${val}"`);
        a.policyDomain = val;
        break;
      case 'policy_failure':
        if (!['sts-policy-fetch-error', 'sts-policy-invalid', 'sts-webpki-invalid', 'validation-failure'].includes(val.toLowerCase())) {
          return fail('bad-attribute-value', `attribute "${nv.name}" has an unexpected value: "${val}"`);
        }
        a.policyFailure = val;
        break;
      case 'policy_string':
        (a.policyString ??= []).push(val);
        break;
      case 'mx_host_pattern':
        (a.mxHostPattern ??= []).push(val);
        break;
      default:
        return fail('invalid-attribute', `invalid attribute name: "${nv.name}"`);
    }
  }
  if (a.policyType === undefined && (a.policyTtl !== undefined || a.policyString || a.policyDomain || a.mxHostPattern || a.policyFailure)) {
    return fail('unexpected-policy-attribute', 'built-in policy has unexpected attribute policy_ttl, policy_domain, policy_string, mx_host_pattern or policy_failure');
  }
  // policy_create(): fingerprint with nothing to match is invalid (unless main.cf
  // smtp_tls_fingerprint_cert_match has digests, which the table alone cannot tell).
  if (level === 'fingerprint' && !a.match && entry.rawAttrs.some((r) => r.name.toLowerCase() === 'match')) {
    return fail('no-fingerprints', `configured at fingerprint security level, but with no fingerprints to match.`);
  }
  return undefined;
}

/** Parse the text (or bytes) of a tls_policy source file. Never throws on content. */
export function parsePolicyTable(input: string | Uint8Array, opts: ParseOptions = {}): PolicyTable {
  const source = opts.source ?? 'tls_policy';
  const buf = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const problems: PolicyProblem[] = [];
  const entries: PolicyEntry[] = [];
  const firstByKey = new Map<string, number>();
  const firstNul = buf.indexOf(0);
  if (firstNul >= 0) {
    const line = buf.subarray(0, firstNul).reduce((n, b) => (b === 0x0a ? n + 1 : n), 1);
    problems.push({ line, severity: 'error', code: 'binary-data', message: `${source}, line ${line}: binary data (NUL byte); mxprobe reads the text source of the table, not the .db/.lmdb/.cdb file` });
  }
  for (const ll of logicalLines(buf, source)) {
    if (ll.text === null) {
      problems.push(ll.reason!);
      continue;
    }
    const kv = splitKeyValue(ll.text);
    if (!kv) {
      problems.push({ line: ll.first, severity: 'error', code: 'unbalanced-quote', message: `${source}, line ${ll.last}: unbalanced '"' in '${ll.text.slice(0, 100)}' -- ignoring this line` });
      continue;
    }
    if (kv.key === '' || kv.value === '') {
      problems.push({ line: ll.first, severity: 'error', code: 'missing-value', message: `${source}, line ${ll.last}: expected format: key whitespace value` });
      continue;
    }
    if (kv.key.endsWith(':')) {
      problems.push({ line: ll.first, severity: 'warning', code: 'key-colon-format', message: `${source}, line ${ll.last}: record is in "key: value" format; is this an alias file?` });
    }
    const key = kv.key.toLowerCase();
    const parsedKey = parsePolicyKey(key);
    const entry: PolicyEntry = {
      line: ll.first, endLine: ll.last, key,
      keyKind: 'error' in parsedKey ? 'domain' : parsedKey.keyKind,
      host: 'error' in parsedKey ? key : parsedKey.host,
      value: kv.value.replace(/[ \t\n\v\f\r]+/g, ' '),
      level: null, attrs: {}, rawAttrs: [], valid: true,
    };
    if (!('error' in parsedKey)) {
      if (parsedKey.port !== undefined) entry.port = parsedKey.port;
      if (parsedKey.service !== undefined) entry.service = parsedKey.service;
    } else {
      // Postfix does not check keys: this one is stored but no next-hop will ever look it up.
      problems.push({ line: ll.first, severity: 'warning', code: 'invalid-key', message: `${source}, line ${ll.first}: key "${kv.key}" never matches a next-hop: ${parsedKey.error}` });
    }
    const dup = firstByKey.get(key);
    if (dup !== undefined) {
      entry.duplicateOf = dup;
      problems.push({ line: ll.first, severity: 'warning', code: 'duplicate-key', message: `${source}, line ${ll.first}: duplicate entry: "${key}" (postmap keeps the entry at line ${dup}; this one is never used)` });
    } else firstByKey.set(key, ll.first);
    const reason = parsePolicyValue(entry, key, opts, (p) => problems.push({ line: ll.first, ...p }));
    if (reason !== undefined) {
      entry.valid = false;
      entry.invalidReason = reason;
    }
    entries.push(entry);
    if (problems.length > MAX_PROBLEMS) break;
  }
  if (problems.length > MAX_PROBLEMS) {
    const last = problems[MAX_PROBLEMS - 1].line;
    problems.length = MAX_PROBLEMS;
    problems.push({ line: last, severity: 'error', code: 'too-many-problems', message: `${source}: more than ${MAX_PROBLEMS} problems, stopped after line ${last}` });
  }
  return { source, entries, problems };
}

/** Read and parse a tls_policy source file. UsageError (with the path) when it cannot be used at all. */
export async function readPolicyFile(path: string, opts: Omit<ParseOptions, 'source'> = {}): Promise<PolicyTable> {
  const { readFile, stat } = await import('node:fs/promises');
  let buf: Buffer;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new UsageError(`policy file ${path}: is a directory`);
    if (st.size > MAX_FILE_BYTES) throw new UsageError(`policy file ${path}: too large (${st.size} bytes, limit ${MAX_FILE_BYTES})`);
    buf = await readFile(path);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new UsageError(`policy file ${path}: ${why}`);
  }
  // A file that grew between stat and read.
  if (buf.length > MAX_FILE_BYTES) throw new UsageError(`policy file ${path}: too large (${buf.length} bytes, limit ${MAX_FILE_BYTES})`);
  return parsePolicyTable(buf, { source: path, ...opts });
}
