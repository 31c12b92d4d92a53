// The value of a tls_policy entry: tls_policy_lookup_one() (postfix/src/smtp/smtp_tls_policy.c) —
// level, then name=value attributes separated by whitespace or comma, `{ name = value }` for
// values with spaces; any error makes the whole entry invalid and Postfix defers mail for that
// destination with "4.7.5 client TLS configuration problem". Messages below are Postfix's own.
import { parseCipherGrade, parseCipherExclusions } from './ciphers.js';
import { validHostname } from './keys.js';
import { normalizeDigest, splitMatch } from './match.js';
import { lookupLevel, mustPkix, takesMatch } from '../levels.js';
import { SPACE } from './lines.js';
import { parsePostfixProtocols } from './protocols.js';
import type { ParseOptions, PolicyEntry, PolicyProblem } from './table-types.js';

/** The lookup table's name in Postfix's warnings (tls_policy->title). */
const TITLE = 'smtp_tls_policy_maps';

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

/** Postfix's per-entry checks; returns the first error (entry invalid) and collects warnings. */
export function parsePolicyValue(entry: PolicyEntry, site: string, opts: ParseOptions, warn: (p: Omit<PolicyProblem, 'line'>) => void): string | undefined {
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
        if (!takesMatch(level)) {
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
