import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  checkCipherString, nodeCiphers, parseCipherExclusions, parseCipherGrade, POSTFIX_CIPHERLISTS, postfixCipherString,
} from '../../src/policy/ciphers.js';

const HIGH = 'aNULL:-aNULL:HIGH:@STRENGTH';
const MEDIUM = 'aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH';

describe('postfixCipherString: grade + exclusions + level exclusion (tls_set_ciphers, set_cipher_grade)', () => {
  test.each([
    // grade     exclude            level          expected
    ['high',     undefined,         'may',         HIGH],
    ['medium',   undefined,         'may',         MEDIUM],
    ['MEDIUM',   undefined,         'none',        MEDIUM],
    ['medium',   undefined,         'encrypt',     `${MEDIUM}:!eNULL`],
    ['medium',   undefined,         'fingerprint', `${MEDIUM}:!aNULL`],
    ['high',     undefined,         'verify',      `${HIGH}:!aNULL`],
    ['high',     undefined,         'secure',      `${HIGH}:!aNULL`],
    ['high',     undefined,         'dane',        `${HIGH}:!aNULL`],
    ['high',     undefined,         'dane-only',   `${HIGH}:!aNULL`],
    ['high',     'RC4, MD5',        'verify',      `${HIGH}:!RC4:!MD5:!aNULL`],
    ['high',     '3DES:RC4',        'encrypt',     `${HIGH}:!3DES:!RC4:!eNULL`],
    ['high',     ['SHA1', 'CBC'],   'may',         `${HIGH}:!SHA1:!CBC`],
    ['low',      undefined,         'may',         'aNULL:-aNULL:HIGH:MEDIUM:LOW:+RC4:@STRENGTH'],
    ['export',   undefined,         'may',         'aNULL:-aNULL:HIGH:MEDIUM:LOW:EXPORT:+RC4:@STRENGTH'],
    ['null',     undefined,         'encrypt',     'eNULL:!aNULL:!eNULL'],
  ] as const)('%s exclude=%j at %s', (grade, exclude, level, expected) => {
    expect(postfixCipherString({ grade, exclude, level })).toBe(expected);
  });

  test('defaults: medium at may', () => expect(postfixCipherString({})).toBe(MEDIUM));

  test.each([
    ['bogus', /invalid cipher grade: "bogus"/],
    ['', /invalid cipher grade/],
  ])('grade %j → UsageError', (grade, msg) => {
    expect(() => postfixCipherString({ grade })).toThrow(UsageError);
    expect(() => postfixCipherString({ grade })).toThrow(msg);
  });

  test.each(['!RC4', '+RC4', '-RC4', '@STRENGTH'])('exclusion %j → UsageError', (tok) => {
    expect(() => parseCipherExclusions(`MD5 ${tok}`)).toThrow(/invalid unary '!\+-@' in cipher exclusion/);
  });
});

describe('parseCipherGrade', () => {
  test.each([['high', 'high'], ['Medium', 'medium'], [' LOW ', 'low'], ['export', 'export'], ['NULL', 'null']])('%j → %s', (s, g) => {
    expect(parseCipherGrade(s)).toBe(g);
  });
});

describe('the defaults match postconf -d on this machine', () => {
  let postconf = '';
  try { postconf = execFileSync('postconf', ['-d'], { encoding: 'utf8' }); } catch { /* no Postfix */ }
  test.runIf(postconf !== '').each(Object.keys(POSTFIX_CIPHERLISTS))('tls_%s_cipherlist', (grade) => {
    const line = postconf.split('\n').find((l) => l.startsWith(`tls_${grade}_cipherlist = `));
    expect(line?.split(' = ')[1]).toBe(POSTFIX_CIPHERLISTS[grade as keyof typeof POSTFIX_CIPHERLISTS]);
  });
});

describe('usable by this Node/OpenSSL', () => {
  test.each(['high', 'medium', 'low', 'export'] as const)('%s selects ciphers (OpenSSL 3: the HIGH ones), at security level 0', (grade) => {
    const r = nodeCiphers({ grade, level: 'verify' });
    expect(r.ciphers).toBe(`${r.postfix}:@SECLEVEL=0`);
  });
  test('null: @SECLEVEL=0 as for every grade (NULL ciphers have 0 security bits)', () => {
    expect(nodeCiphers({ grade: 'null', level: 'may' }).ciphers).toBe('eNULL:!aNULL:@SECLEVEL=0');
    expect(nodeCiphers({ grade: 'null', level: 'verify' }).ciphers).toBe('eNULL:!aNULL:!aNULL:@SECLEVEL=0');
  });
  test('@SECLEVEL=0 whether TLS 1.0/1.1 is in range or not (Postfix: tls_client_init sets level 0)', () => {
    expect(nodeCiphers({ grade: 'high', legacyProtocols: true }).ciphers).toBe(`${HIGH}:@SECLEVEL=0`);
    expect(nodeCiphers({ grade: 'high', legacyProtocols: false }).ciphers).toBe(`${HIGH}:@SECLEVEL=0`);
    expect(nodeCiphers({ grade: 'high' }).ciphers).toBe(`${HIGH}:@SECLEVEL=0`);
  });
  test('notes: low/export are medium under OpenSSL 3; TLS 1.3 is not governed', () => {
    const notes = nodeCiphers({ grade: 'export' }).notes.join('\n');
    expect(notes).toMatch(/same ciphers as "medium"/);
    expect(notes).toMatch(/TLS 1.3 ciphersuites are not governed/);
  });
  test.each([
    [{ grade: 'high', exclude: 'ALL' }, /cipher grade 'high' with exclusions "ALL" selects no cipher this OpenSSL supports/],
    [{ grade: 'export', exclude: 'HIGH' }, /cipher grade 'export' with exclusions "HIGH" selects no cipher/],
    // Postfix adds eNULL at encrypt: the null grade is left with nothing (same in Postfix).
    [{ grade: 'null', level: 'encrypt' }, /cipher grade 'null' selects no cipher/],
  ] as const)('%j → UsageError', (choice, msg) => {
    expect(() => nodeCiphers(choice)).toThrow(UsageError);
    expect(() => nodeCiphers(choice)).toThrow(msg);
  });
  test('checkCipherString: EXPORT alone selects nothing under OpenSSL 3', () => {
    expect(() => checkCipherString('EXPORT', "cipher grade 'export'")).toThrow("cipher grade 'export' selects no cipher this OpenSSL supports");
  });
});
