// Reading a TLS 1.2 server flight for a CertificateRequest (RFC 5246 §7.4.4): messages split
// across records and records split across reads, alerts, an anonymous cipher, garbage.
import { describe, expect, test } from 'vitest';
import { readFlight } from '../../src/postfix/client-cert.js';

const u16 = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number) => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const msg = (type: number, body: number[]) => [type, ...u24(body.length), ...body];
const record = (type: number, body: number[]) => Buffer.from([type, 0x03, 0x03, ...u16(body.length), ...body]);
/** ServerHello: version, 32-byte random, empty session id, cipher, null compression. */
const serverHello = (cipher: number) => msg(2, [0x03, 0x03, ...new Array(32).fill(7), 0, ...u16(cipher), 0]);
const certificate = msg(11, [...u24(3), ...u24(0)]);
const request = msg(13, [1, 1, ...u16(0), ...u16(0)]);
const done = msg(14, []);

describe('readFlight', () => {
  test('CertificateRequest before ServerHelloDone', () => {
    const flight = record(22, [...serverHello(0xc02f), ...certificate, ...request, ...done]);
    expect(readFlight(flight)).toEqual({ kind: 'done', certificateRequest: true, anonymous: false });
  });
  test('no CertificateRequest', () => {
    expect(readFlight(record(22, [...serverHello(0xc02f), ...certificate, ...done]))).toEqual({ kind: 'done', certificateRequest: false, anonymous: false });
  });
  test('one message split over two records, and a partial read', () => {
    const all = [...serverHello(0xc02f), ...certificate, ...request, ...done];
    const flight = Buffer.concat([record(22, all.slice(0, 20)), record(22, all.slice(20))]);
    expect(readFlight(flight.subarray(0, flight.length - 3))).toEqual({ kind: 'more' });
    expect(readFlight(flight)).toMatchObject({ kind: 'done', certificateRequest: true });
  });
  test('an anonymous cipher (no certificate can be requested) is reported as such', () => {
    expect(readFlight(record(22, [...serverHello(0x00a7), ...done]))).toMatchObject({ kind: 'done', anonymous: true });
  });
  test('alert, and a non-handshake record', () => {
    expect(readFlight(record(21, [2, 70]))).toEqual({ kind: 'alert' });
    expect(readFlight(record(23, [1, 2, 3]))).toMatchObject({ kind: 'garbage' });
  });
});
