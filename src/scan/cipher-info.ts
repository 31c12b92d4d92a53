// What mxprobe knows about each cipher it can offer: wire id, names, lowest protocol, and the
// Postfix grade (src/policy/ciphers.ts POSTFIX_CIPHERLISTS). The grade is computed from the
// cipher's parts with OpenSSL's own class rules, because Node cannot list the members of a cipher
// string; test/scan/grade.test.ts checks it against `openssl ciphers` over those lists.
import type { ScanCipher, ScanCipherGrade, ScanProtocolName } from '../types.js';
import { CIPHER_ROWS, type CipherRow } from './cipher-table.js';

export interface CipherInfo {
  id: string;
  /** The wire id as a number (0xC02F). */
  wire: number;
  name: string;
  standardName: string;
  minProtocol: ScanProtocolName;
  keyExchange: string;
  authentication: string;
  encryption: string;
  bits: number | null;
  grade: ScanCipherGrade;
  anonymous: boolean;
}

const ORDER: readonly ScanProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
export const protocolRank = (p: ScanProtocolName): number => ORDER.indexOf(p);

/**
 * Postfix grades by OpenSSL classes: `null` = eNULL (no encryption), `export` = EXP, `low` =
 * single DES and 40/56-bit ciphers, `medium` = 3DES, RC4, SEED, IDEA (MEDIUM, +RC4), `high` = the
 * rest (HIGH: AES, CHACHA20, CAMELLIA, ARIA). Anonymous suites keep their grade (Postfix's lists
 * start with "aNULL:-aNULL", and HIGH adds them back) and are flagged separately.
 */
export function gradeOf(name: string, encryption: string): ScanCipherGrade {
  const enc = encryption.toUpperCase();
  if (enc === 'NONE') return 'null';
  if (/^EXP/.test(name)) return 'export';
  if (/^DES\(|RC2|\(40\)|\(56\)/.test(enc)) return 'low';
  if (/3DES|RC4|SEED|IDEA/.test(enc)) return 'medium';
  return 'high';
}

function bitsOf(encryption: string): number | null {
  const m = /\((\d+)\)/.exec(encryption);
  if (m) return Number(m[1]);
  return /^None$/i.test(encryption) ? 0 : null;
}

function fromRow([id, name, standardName, minProtocol, keyExchange, authentication, encryption]: CipherRow): CipherInfo {
  return {
    id, wire: parseInt(id.replace(/0x|,/g, ''), 16), name, standardName, minProtocol, keyExchange, authentication, encryption,
    bits: bitsOf(encryption),
    grade: gradeOf(name, encryption),
    anonymous: authentication === 'None',
  };
}

export const CIPHERS: readonly CipherInfo[] = CIPHER_ROWS.map(fromRow);
const byName = new Map(CIPHERS.map((c) => [c.name, c]));
const byStandardName = new Map(CIPHERS.map((c) => [c.standardName, c]));
const byWire = new Map(CIPHERS.map((c) => [c.wire, c]));

/** Look a cipher up by the id a ServerHello carries. */
export function cipherByWire(id: number): CipherInfo | undefined {
  return byWire.get(id);
}

/** How to read this cipher's ServerKeyExchange (RFC 5246 §7.4.3): ECDHE, DHE, signed unless anonymous; null when it sends none (RSA key transport, TLS 1.3). */
export function keyExchangeOf(id: number): { kx: 'ECDH' | 'DH'; signed: boolean } | null {
  const c = byWire.get(id);
  if (!c || (c.keyExchange !== 'ECDH' && c.keyExchange !== 'DH')) return null;
  return { kx: c.keyExchange, signed: !c.anonymous };
}

/** Ciphers a client may offer at exactly this protocol version (TLS 1.3 suites only at 1.3). */
export function candidatesFor(protocol: ScanProtocolName): CipherInfo[] {
  if (protocol === 'TLSv1.3') return CIPHERS.filter((c) => c.minProtocol === 'TLSv1.3');
  return CIPHERS.filter((c) => c.minProtocol !== 'TLSv1.3' && protocolRank(c.minProtocol) <= protocolRank(protocol));
}

/** Look a negotiated cipher up by Node's getCipher() names. */
export function cipherByName(name: string, standardName?: string): CipherInfo | undefined {
  return byName.get(name) ?? (standardName ? byStandardName.get(standardName) : undefined);
}

export function toScanCipher(c: CipherInfo, keyExchangeGroup: string | null): ScanCipher {
  return {
    name: c.name, standardName: c.standardName, id: c.id, bits: c.bits,
    keyExchange: c.keyExchange, authentication: c.authentication, grade: c.grade, anonymous: c.anonymous,
    keyExchangeGroup,
  };
}

/**
 * Node's `ciphers` option for exactly these ciphers: TLS_* names go to the TLS 1.3 ciphersuites,
 * the rest to the <= 1.2 cipher list; @SECLEVEL=0 so OpenSSL 3 offers what it would refuse by default.
 */
export function cipherOption(ciphers: readonly CipherInfo[]): string {
  const names = ciphers.map((c) => c.name);
  // A TLS 1.3-only list must not carry "@SECLEVEL=0" alone: Node would set it as an empty <= 1.2 list.
  return ciphers.every((c) => c.minProtocol === 'TLSv1.3') ? names.join(':') : [...names, '@SECLEVEL=0'].join(':');
}
