// The Postfix TLS security levels: one ordered table and the predicates every consumer asks
// (the conversation, the verdict, the DANE glue, `policy`, the renderers). Nothing else in
// mxprobe restates a level rule.
//
// Order and predicates: postfix/src/tls/tls.h (TLS_LEV_NONE … TLS_LEV_SECURE, TLS_REQUIRED,
// TLS_MUST_MATCH, TLS_MUST_PKIX, TLS_OPPORTUNISTIC, TLS_DANE_BASED), names from tls_level.c.
// Match defaults: postconf(5) smtp_tls_verify_cert_match, smtp_tls_secure_cert_match,
// smtp_tls_fingerprint_cert_match. Cipher exclusions: tls_client.c / tls_misc.c
// tls_set_ciphers() ("eNULL" at encrypt, "aNULL" at the authenticating levels).
import type { CertificateFacts, DaneEffectiveLevel, DaneFacts, Level, PostfixOutcome, ProbeResult, VerificationFacts } from './types.js';
import { refusedAtSecurityLevel1 } from './tls/strength.js';

/** In Postfix's numeric order (tls.h TLS_LEV_*): later = stricter in what it requires. */
export const LEVELS: readonly Level[] = ['none', 'may', 'encrypt', 'fingerprint', 'dane', 'dane-only', 'verify', 'secure'];

const rank = (l: Level): number => LEVELS.indexOf(l);

/** tls_level_lookup(): a level name (case-insensitive) or null. */
export function lookupLevel(s: string): Level | null {
  const l = s.trim().toLowerCase();
  return (LEVELS as readonly string[]).includes(l) ? (l as Level) : null;
}

/** Any TLS at all: every level but none. */
export const tlsAttempted = (l: Level): boolean => l !== 'none';
/** TLS_REQUIRED: no plaintext fallback (encrypt and above). */
export const tlsRequired = (l: Level): boolean => rank(l) > rank('may');
/** TLS_MUST_MATCH: the peer must be authenticated (fingerprint, dane, dane-only, verify, secure). */
export const mustMatch = (l: Level): boolean => rank(l) > rank('encrypt');
/** TLS_MUST_PKIX: CA trust and a name (verify, secure); the only levels that take `tafile=`. */
export const mustPkix = (l: Level): boolean => rank(l) >= rank('verify');
/** TLS_OPPORTUNISTIC: may, and dane (which falls back to may without usable TLSA records). */
export const opportunistic = (l: Level): boolean => l === 'may' || l === 'dane';
/** TLS_DANE_BASED: the TLSA records, not PKIX, authenticate the peer. */
export const daneBased = (l: Level | undefined): boolean => l === 'dane' || l === 'dane-only';
/** Levels where a match list (`--match`, `match=`) means something; Postfix rejects it elsewhere. */
export const takesMatch = (l: Level): boolean => l === 'fingerprint' || mustPkix(l);
/** Is the certificate judged at all? At none, may and encrypt it is only reported. */
export const certificateJudged = mustMatch;

/** The match list Postfix uses when none is given (postconf -d). */
export function defaultMatch(l: Level): readonly string[] {
  if (l === 'verify') return ['hostname']; // smtp_tls_verify_cert_match
  if (l === 'secure') return ['nexthop', 'dot-nexthop']; // smtp_tls_secure_cert_match
  return []; // smtp_tls_fingerprint_cert_match is empty: a fingerprint entry without match= is invalid
}

/** The cipher class Postfix removes automatically at this level (tls_set_ciphers). */
export function cipherExclusion(l: Level): 'eNULL' | 'aNULL' | null {
  if (!tlsRequired(l)) return null;
  return l === 'encrypt' ? 'eNULL' : 'aNULL';
}

/**
 * The level Postfix applies to one host: at dane levels what the TLSA lookup decided
 * (smtp_tls_policy.c dane_init(): may without usable records, encrypt when every record is
 * unusable); otherwise the level itself.
 */
export function effectiveLevel(level: Level, dane: DaneEffectiveLevel | undefined): Level {
  if (!daneBased(level) || !dane) return level;
  return dane === 'may' || dane === 'encrypt' ? dane : level;
}

/** What the handshake proved about the peer, for the authenticating levels. */
export interface PeerEvidence {
  verification: VerificationFacts | null;
  /** TLSA authentication result (dane levels); null when not tried. */
  daneAuthenticated: boolean | null;
  /** The chain as served, and how DANE matched it: weak ones Postfix's OpenSSL refuses. */
  certificates: CertificateFacts[];
  daneMatchedBy: DaneFacts['matchedBy'] | undefined;
}

const evidence = (r: Pick<ProbeResult, 'verification' | 'dane' | 'certificates'>): PeerEvidence =>
  ({ verification: r.verification, daneAuthenticated: r.dane?.authenticated ?? null, certificates: r.certificates, daneMatchedBy: r.dane?.matchedBy });

/**
 * Is the peer authenticated the way `level` asks (TLS_CERT_IS_MATCHED in tls_client.c)?
 * fingerprint: a digest matches; verify/secure: trusted chain and a name; dane: a TLSA record.
 */
export function peerMatched(level: Level, e: PeerEvidence): boolean {
  // tls_client_start() raises the connection to OpenSSL security level 1 at these levels: a
  // SHA-1-signed chain or a too-small key fails there whatever else matches (src/tls/strength.ts).
  if (refusedAtSecurityLevel1(e.certificates, level, e.daneMatchedBy)) return false;
  if (daneBased(level)) return e.daneAuthenticated === true;
  const v = e.verification;
  if (!v) return false;
  if (level === 'fingerprint') return v.fingerprintMatch === true;
  if (mustPkix(level)) return v.trusted && v.hostnameMatch;
  return false;
}

/**
 * May MAIL be sent now (after TLS was set up, or not)? Postfix tears the session down when the
 * level is not met (smtp_proto.c after smtp_start_tls()), so the probe sends no MAIL either.
 */
export function mailAllowed(r: Pick<ProbeResult, 'level' | 'tls' | 'verification' | 'dane' | 'certificates'>): boolean {
  if (r.dane?.effectiveLevel === 'defer') return false;
  const level = effectiveLevel(r.level, r.dane?.effectiveLevel);
  if (!tlsRequired(level)) return true;
  if (!r.tls) return false;
  if (!mustMatch(level)) return true;
  return peerMatched(level, evidence(r));
}

/**
 * smtp.h PLAINTEXT_FALLBACK_OK_AFTER_STARTTLS_FAILURE / _AFTER_TLS_SESSION_FAILURE: at an
 * opportunistic level a delivery whose STARTTLS handshake (or the TLS session after it) failed is
 * retried without TLS. Not in wrapper mode (no plaintext to fall back to), not after an
 * injection (the session is compromised), and only once the server greeted us.
 */
export function plaintextFallback(r: Pick<ProbeResult, 'level' | 'mode' | 'error' | 'dane' | 'smtp'>): boolean {
  const e = r.error;
  if (!e || r.mode !== 'starttls' || !r.smtp.banner) return false;
  // After the TLSA lookup the only opportunistic level left is may (dane with usable records is mandatory).
  if (effectiveLevel(r.level, r.dane?.effectiveLevel) !== 'may') return false;
  if (e.code === 'starttls-injection') return false;
  return e.code === 'tls-handshake' || e.phase === 'handshake' || e.phase === 'ehlo-tls';
}

/** Postfix's log word for a TLS connection (tls_misc.c tls_log_summary()). */
export function connectionClass(r: Pick<ProbeResult, 'level' | 'tls' | 'verification' | 'certificates' | 'dane'>): PostfixOutcome['connectionClass'] {
  if (!r.tls) return null;
  if (r.certificates.length === 0) return 'Anonymous';
  const level = effectiveLevel(r.level, r.dane?.effectiveLevel);
  // At the authenticating levels a peer that does not match is "Untrusted", even with a trusted
  // chain (posttls-finger: "Untrusted TLS connection" for a hostname mismatch at verify).
  if (mustMatch(level)) return peerMatched(level, evidence(r)) ? 'Verified' : 'Untrusted';
  return r.verification?.trusted ? 'Trusted' : 'Untrusted';
}

/**
 * What a Postfix smtp client at the result's level does with this host: deliver over TLS,
 * deliver in plaintext, or not deliver (defer, or skip to the next MX). The one judgement that
 * the verdict, `policy` and the renderers word in their own ways.
 */
export function postfixOutcome(r: ProbeResult): PostfixOutcome {
  const level = effectiveLevel(r.level, r.dane?.effectiveLevel);
  const klass = connectionClass(r);
  const out = (deliver: boolean, plaintext: boolean, reason: PostfixOutcome['reason']): PostfixOutcome =>
    ({ effectiveLevel: level, deliver, plaintext, connectionClass: klass, reason });
  const e = r.error;
  if (!tlsAttempted(r.level)) return e ? out(false, true, 'error') : out(true, true, 'tls-disabled');
  if (r.dane?.effectiveLevel === 'defer') return out(false, false, 'dane-required');
  if (!tlsRequired(level)) {
    if (r.tls && !e) return out(true, false, null);
    if (plaintextFallback(r)) return out(true, true, 'tls-failed-fallback');
    if (e) return out(false, false, 'error');
    const reply = r.smtp.starttls.reply;
    if (reply && reply.code !== 220) return out(true, true, 'starttls-refused');
    return out(true, true, 'tls-not-offered');
  }
  // TLS is required from here on: no TLS, no mail.
  if (!r.tls) return out(false, false, e ? 'error' : 'tls-not-offered');
  if (e && (e.phase === 'handshake' || e.code === 'protocol-violation')) return out(false, false, 'error');
  // Postfix judges the peer right after the handshake, before the EHLO inside TLS (smtp_start_tls).
  if (mustMatch(level) && !peerMatched(level, evidence(r))) {
    return out(false, false, 'not-authenticated');
  }
  return e ? out(false, false, 'error') : out(true, false, null);
}
