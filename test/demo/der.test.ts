// The DER encoder of the demo's certificates, against encodings worked out by hand from X.690.
import { describe, expect, it } from 'vitest';
import { bitString, boolean, implicitPrimitive, namedBits, oid, sequence, smallInteger, time, tlv, unsignedInteger } from '../../src/demo/der.js';

const hex = (b: Buffer) => b.toString('hex');

describe('DER encoding (X.690)', () => {
  it.each([
    [0, '0400'],
    [127, `047f${'00'.repeat(127)}`],
    [128, `048180${'00'.repeat(128)}`],
    [256, `04820100${'00'.repeat(256)}`],
  ])('a %i-byte value gets the short or long length form', (n, expected) => {
    expect(hex(tlv(0x04, Buffer.alloc(n)))).toBe(expected);
  });

  it.each([
    ['1.2.840.10045.4.3.2', '06082a8648ce3d040302'], // ecdsa-with-SHA256
    ['2.5.29.17', '0603551d11'], // subjectAltName
    ['1.3.6.1.5.5.7.3.1', '06082b06010505070301'], // serverAuth
  ])('OID %s', (dotted, expected) => expect(hex(oid(dotted))).toBe(expected));

  it.each([
    ['00000005', '020105'],
    ['80', '02020080'], // a set top bit would read as negative: 0x00 first
    ['7f', '02017f'],
    ['000080', '02020080'],
  ])('unsigned INTEGER %s', (input, expected) => expect(hex(unsignedInteger(Buffer.from(input, 'hex')))).toBe(expected));

  it('small values, booleans, bit strings, context tags, sequences', () => {
    expect(hex(smallInteger(2))).toBe('020102');
    expect(hex(boolean(true))).toBe('0101ff');
    expect(hex(bitString(Buffer.from('abcd', 'hex')))).toBe('030300abcd');
    expect(hex(implicitPrimitive(2, Buffer.from('a')))).toBe('820161');
    expect(hex(sequence())).toBe('3000');
  });

  it.each([
    [[0], '03020780'], // digitalSignature
    [[5, 6], '03020106'], // keyCertSign, cRLSign
    [[8], '0303070080'], // decipherOnly: a second byte, 7 unused bits
  ])('named bits %j leave out trailing zero bits', (bits, expected) => expect(hex(namedBits(bits))).toBe(expected));

  it('UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(time(new Date('2049-12-31T23:59:59.999Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });
});
