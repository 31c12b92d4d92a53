// The level model (src/levels.ts): the predicates are tls.h's, and postfixOutcome is the one
// judgement every command words. Table-style: one line per case.
import { describe, expect, it } from 'vitest';
import {
  LEVELS, certificateJudged, connectionClass, defaultMatch, effectiveLevel, mailAllowed, mustMatch, mustPkix, opportunistic,
  plaintextFallback, postfixOutcome, takesMatch, tlsRequired,
} from '../src/levels.js';
import type { DaneFacts, Level, ProbeResult } from '../src/types.js';
import { okResult } from './report/sample.js';

describe('the ordered table and the tls.h predicates', () => {
  it('is in Postfix order (TLS_LEV_NONE … TLS_LEV_SECURE)', () => {
    expect(LEVELS).toEqual(['none', 'may', 'encrypt', 'fingerprint', 'dane', 'dane-only', 'verify', 'secure']);
  });
  it.each<[Level, boolean, boolean, boolean, boolean, boolean]>([
    // level        required match  pkix   opportunistic takesMatch
    ['none',        false,   false, false, false,        false],
    ['may',         false,   false, false, true,         false],
    ['encrypt',     true,    false, false, false,        false],
    ['fingerprint', true,    true,  false, false,        true],
    ['dane',        true,    true,  false, true,         false],
    ['dane-only',   true,    true,  false, false,        false],
    ['verify',      true,    true,  true,  false,        true],
    ['secure',      true,    true,  true,  false,        true],
  ])('%s', (level, required, match, pkix, opp, takes) => {
    expect([tlsRequired(level), mustMatch(level), mustPkix(level), opportunistic(level), takesMatch(level)]).toEqual([required, match, pkix, opp, takes]);
    expect(certificateJudged(level)).toBe(match);
  });
  it('default match lists (postconf -d)', () => {
    expect(defaultMatch('verify')).toEqual(['hostname']);
    expect(defaultMatch('secure')).toEqual(['nexthop', 'dot-nexthop']);
    expect(defaultMatch('fingerprint')).toEqual([]);
  });
  it.each<[Level, DaneFacts['effectiveLevel'] | undefined, Level]>([
    ['dane', 'may', 'may'], ['dane', 'encrypt', 'encrypt'], ['dane', 'dane', 'dane'], ['dane-only', 'defer', 'dane-only'],
    ['verify', 'may', 'verify'], ['dane', undefined, 'dane'],
  ])('effectiveLevel(%s, TLSA says %s) = %s', (level, dane, expected) => expect(effectiveLevel(level, dane)).toBe(expected));
});

/** A result at `level`; `over` sets the facts the case is about. */
function at(level: Level, over: Partial<ProbeResult> = {}): ProbeResult {
  return okResult({ level, ...over });
}
const untrusted = { trusted: false, error: { reason: 'self-signed' as const, openssl: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, hostnameMatch: true, matchedName: 'mx1.example.com', checkedNames: ['mx1.example.com'], fingerprintMatch: null };
const noTls = { tls: null, certificates: [], verification: null };
const handshakeFailed = { ...noTls, error: { phase: 'handshake' as const, code: 'tls-handshake' as const, message: 'TLS handshake failed: alert 80' } };
const dane = (effective: DaneFacts['effectiveLevel'], authenticated: boolean | null): { dane: DaneFacts } => ({
  dane: { tlsaName: null, baseDomain: null, mxSecure: true, addressSecure: true, lookup: 'secure', ad: true, dnsStatus: 'NOERROR', records: [], effectiveLevel: effective, reason: 'r', authenticated, matchedBy: null, checkedNames: [], nameMatch: null, failure: null },
});

describe('postfixOutcome: what Postfix does with the host', () => {
  it.each<[string, ProbeResult, boolean, boolean, string | null, string | null]>([
    // case                                         result                                           deliver plaintext class        reason
    ['verify, trusted and named',                    at('verify'),                                      true,  false, 'Verified',  null],
    ['verify, self-signed',                          at('verify', { verification: untrusted }),         false, false, 'Untrusted', 'not-authenticated'],
    ['encrypt, self-signed',                         at('encrypt', { verification: untrusted }),        true,  false, 'Untrusted', null],
    ['may, trusted',                                 at('may'),                                         true,  false, 'Trusted',   null],
    ['may, STARTTLS not offered',                    at('may', noTls),                                  true,  true,  null,        'tls-not-offered'],
    ['encrypt, STARTTLS not offered',                at('encrypt', noTls),                              false, false, null,        'tls-not-offered'],
    ['may, handshake failed: plaintext retry',       at('may', handshakeFailed),                        true,  true,  null,        'tls-failed-fallback'],
    ['may over implicit TLS, handshake failed',      at('may', { ...handshakeFailed, mode: 'implicit' }), false, false, null,      'error'],
    ['none',                                         at('none', noTls),                                 true,  true,  null,        'tls-disabled'],
    ['fingerprint, digest matches',                  at('fingerprint', { verification: { ...untrusted, fingerprintMatch: true } }), true, false, 'Verified', null],
    ['fingerprint, no digest matches',               at('fingerprint', { verification: { ...untrusted, fingerprintMatch: false } }), false, false, 'Untrusted', 'not-authenticated'],
    ['dane, no usable TLSA: as may',                 at('dane', { ...dane('may', null), verification: untrusted }), true, false, 'Untrusted', null],
    ['dane, TLSA match',                             at('dane', { ...dane('dane', true), verification: untrusted }), true, false, 'Verified', null],
    ['dane, TLSA mismatch',                          at('dane', dane('dane', false)),                   false, false, 'Untrusted', 'not-authenticated'],
    ['dane with usable TLSA, handshake failed: no fallback', at('dane', { ...handshakeFailed, ...dane('dane', null) }), false, false, null, 'error'],
    ['dane-only, no usable TLSA',                    at('dane-only', dane('defer', null)),              false, false, 'Untrusted', 'dane-required'],
  ])('%s', (_name, r, deliver, plaintext, klass, reason) => {
    const o = postfixOutcome(r);
    expect([o.deliver, o.plaintext, o.connectionClass, o.reason]).toEqual([deliver, plaintext, klass, reason]);
  });

  it('mail is sent only when the level is met, as Postfix tears the session down otherwise', () => {
    expect(mailAllowed(at('verify'))).toBe(true);
    expect(mailAllowed(at('verify', { verification: untrusted }))).toBe(false);
    expect(mailAllowed(at('may', noTls))).toBe(true);
    expect(mailAllowed(at('encrypt', noTls))).toBe(false);
    expect(mailAllowed(at('dane-only', dane('defer', null)))).toBe(false);
    expect(mailAllowed(at('dane', { ...noTls, ...dane('may', null) }))).toBe(true);
  });

  it('the fallback rule and the connection class agree with the outcome', () => {
    expect(plaintextFallback(at('may', handshakeFailed))).toBe(true);
    expect(plaintextFallback(at('may', { ...handshakeFailed, error: { ...handshakeFailed.error, code: 'starttls-injection', phase: 'starttls' } }))).toBe(false);
    expect(connectionClass(at('verify', { verification: { ...untrusted, trusted: true, hostnameMatch: false } }))).toBe('Untrusted');
    expect(connectionClass(at('may', { certificates: [] }))).toBe('Anonymous');
  });
});
