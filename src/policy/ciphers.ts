// Postfix cipher grades (smtp_tls_ciphers, smtp_tls_mandatory_ciphers, the tls_policy `ciphers=`
// attribute) and exclusions, turned into the OpenSSL cipher string Postfix would use.
//
// tls_set_ciphers() (postfix/src/tls/tls_misc.c): base list of the grade, then ":!X" appended for
// every exclusion token (separators comma, whitespace, colon; a token starting with one of
// "!+-@" is refused). set_cipher_grade() (postfix/src/smtp/smtp_tls_policy.c) adds "eNULL" to
// the exclusions at `encrypt` and "aNULL" at fingerprint, dane, dane-only, verify and secure.
//
// The grade governs TLS 1.2 and below only: Postfix never touches the TLS 1.3 ciphersuites, and
// neither does Node when the string names no TLS_* suite. With TLS 1.3 allowed, even `null`
// negotiates TLS_AES_256_GCM_SHA384.
import tls from 'node:tls';
import { UsageError } from '../errors.js';
import type { Level } from '../types.js';
import { cipherExclusion } from '../levels.js';

export type CipherGrade = 'high' | 'medium' | 'low' | 'export' | 'null';
export const CIPHER_GRADES: readonly CipherGrade[] = ['high', 'medium', 'low', 'export', 'null'];

/**
 * `postconf -d` of Postfix 3.7.11 (this machine) = DEF_TLS_*_CLIST in mail_params.h. Postfix 3.8+
 * maps `low` and `export` to the medium list (tls_cipher_grade_table); under OpenSSL 3 that makes
 * no difference: it has no LOW, EXPORT or RC4 ciphers, so low/export/medium/high all select the
 * HIGH ciphers here (`openssl ciphers -s 'MEDIUM:LOW:EXPORT:RC4'` → "no cipher match").
 */
export const POSTFIX_CIPHERLISTS: Readonly<Record<CipherGrade, string>> = {
  high: 'aNULL:-aNULL:HIGH:@STRENGTH',
  medium: 'aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH',
  low: 'aNULL:-aNULL:HIGH:MEDIUM:LOW:+RC4:@STRENGTH',
  export: 'aNULL:-aNULL:HIGH:MEDIUM:LOW:EXPORT:+RC4:@STRENGTH',
  null: 'eNULL:!aNULL',
};

/** tls_cipher_grade(): case-insensitive grade name. */
export function parseCipherGrade(s: string): CipherGrade {
  const g = s.trim().toLowerCase();
  if ((CIPHER_GRADES as readonly string[]).includes(g)) return g as CipherGrade;
  throw new UsageError(`invalid cipher grade: "${s}" (valid: ${CIPHER_GRADES.join(', ')})`);
}

/** Exclusion tokens as Postfix splits them; a token starting with !+-@ is a UsageError. */
export function parseCipherExclusions(exclude: string | readonly string[] | undefined): string[] {
  if (exclude === undefined) return [];
  const text = typeof exclude === 'string' ? exclude : exclude.join(' ');
  const toks = text.split(/[,: \t\r\n]+/).filter(Boolean);
  for (const tok of toks) {
    if ('!+-@'.includes(tok[0])) throw new UsageError(`invalid unary '!+-@' in cipher exclusion: ${tok}`);
  }
  return toks;
}

export interface CipherChoice {
  /** Postfix grade; default "medium" (smtp_tls_ciphers / smtp_tls_mandatory_ciphers default). */
  grade?: CipherGrade | string;
  /** `exclude=` / `--exclude-ciphers` tokens (comma, whitespace or colon separated). */
  exclude?: string | readonly string[];
  /** Security level: decides the automatic eNULL/aNULL exclusion. Default "may" (none added). */
  level?: Level;
}

/**
 * The OpenSSL cipher string Postfix would set for this grade, exclusions and level. `lists` are
 * the tls_*_cipherlist values in force (a server's main.cf may change them; default: 3.7's).
 */
export function postfixCipherString({ grade = 'medium', exclude, level = 'may' }: CipherChoice, lists: Readonly<Record<CipherGrade, string>> = POSTFIX_CIPHERLISTS): string {
  const g = parseCipherGrade(grade);
  const toks = parseCipherExclusions(exclude);
  const auto = cipherExclusion(level);
  if (auto) toks.push(auto);
  return lists[g] + toks.map((t) => `:!${t}`).join('');
}

/** Throws a UsageError when OpenSSL selects no cipher at all for `ciphers`. */
// Strings OpenSSL has accepted: probeAll resolves its options for every destination, and a
// throw-away SecureContext costs ~0.25 ms of CPU (init + setCiphers) each time.
const usableCipherStrings = new Set<string>();

export function checkCipherString(ciphers: string, what = `cipher list "${ciphers}"`): void {
  if (usableCipherStrings.has(ciphers)) return;
  try {
    // ca: [] so the check does not load the root store (this context is thrown away).
    tls.createSecureContext({ ciphers, ca: [] });
    usableCipherStrings.add(ciphers);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code === 'ERR_SSL_NO_CIPHER_MATCH' || /no cipher match/i.test(String(err))) {
      throw new UsageError(`${what} selects no cipher this OpenSSL supports`);
    }
    throw new UsageError(`${what} is not usable: ${(err as Error).message}`);
  }
}

export interface NodeCiphers {
  /** For tls.connect({ ciphers }). */
  ciphers: string;
  /** The string Postfix itself would use (without mxprobe's @SECLEVEL=0). */
  postfix: string;
  notes: string[];
}

/**
 * Postfix's string made usable by Node 20 / OpenSSL 3 and checked, with `@SECLEVEL=0` for every
 * protocol range and grade. Postfix creates its client context at security level 0
 * (postfix/src/tls/tls_client.c tls_client_init(): SSL_CTX_set_security_level(client_ctx, 0)),
 * so TLS 1.0/1.1, NULL ciphers and weak certificates can be negotiated at all; the handshake facts
 * — and the trust verdict OpenSSL gives — then no longer depend on --protocols (OpenSSL's level
 * also governs certificate checks: a SHA-1-signed chain was "trusted" with TLS 1.0 in range and
 * "validation-failure" without).
 *
 * Postfix raises the level to 1 on the connection at fingerprint and above (tls_client_start():
 * `if (TLS_MUST_MATCH(level)) SSL_set_security_level(con, 1)`), which on OpenSSL 3 refuses SHA-1
 * and MD5 certificate signatures and keys under 80 bits. That is judged from the certificate
 * facts in src/tls/strength.ts, at the level asked, so both the facts and Postfix's verdict show.
 * `legacyProtocols` is accepted for callers and no longer changes anything.
 */
export function nodeCiphers(choice: CipherChoice & { legacyProtocols?: boolean }): NodeCiphers {
  const postfix = postfixCipherString(choice);
  const grade = parseCipherGrade(choice.grade ?? 'medium');
  const notes: string[] = [];
  const ciphers = `${postfix}:@SECLEVEL=0`;
  notes.push('@SECLEVEL=0 added, as Postfix\'s client context has it: weak keys and signatures are reported as findings instead of failing the handshake');
  if (grade === 'low' || grade === 'export') notes.push(`cipher grade "${grade}" selects the same ciphers as "medium" with OpenSSL 3 (no LOW/EXPORT ciphers exist)`);
  notes.push('TLS 1.3 ciphersuites are not governed by the cipher grade (as in Postfix)');
  checkCipherString(ciphers, `cipher grade '${grade}'${parseCipherExclusions(choice.exclude).length ? ` with exclusions "${[choice.exclude].flat().join(' ')}"` : ''}`);
  return { ciphers, postfix, notes };
}
