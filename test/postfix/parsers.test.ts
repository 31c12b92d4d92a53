// The posttls-finger and openssl s_client parsers, on output recorded from Postfix 3.7.11 /
// OpenSSL 3.0 against the private instance (the live tests parse fresh output too).
import { describe, expect, it } from 'vitest';
import { parseFinger } from '../../fixtures/postfix/finger.js';
import { parseSClient } from '../../fixtures/postfix/sclient.js';

const FP = '55:34:37:16:1E:C1:21:BF:B3:85:3C:4E:C8:6E:58:6C:99:04:26:3F:96:65:9D:5B:77:7E:2B:DA:31:23:85:14';
const PK = '07:31:E0:10:00:A4:3B:AA:05:CA:9C:08:0D:91:E6:82:2D:A6:FD:EC:D4:BE:8C:2E:55:0A:14:6A:57:3F:28:18';
const H = '127.0.0.1[127.0.0.1]:40821';
const cert = (cn: string, issuer: string) =>
  `posttls-finger: ${H}: subject_CN=${cn}, issuer_CN=${issuer}, fingerprint=${FP}, pkey_fingerprint=${PK}`;

describe('parseFinger', () => {
  it('verified TLS 1.3 with peer name match', () => {
    const out = [
      `posttls-finger: ${H}: matched peername: mx.test.example`,
      cert('mx.test.example', 'mxprobe Test Intermediate CA'),
      `posttls-finger: Verified TLS connection established to ${H}: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256`,
    ].join('\n');
    expect(parseFinger(out)).toEqual({
      trust: 'Verified', protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', cipherBits: 256,
      keyExchange: 'X25519', serverSignature: 'RSA-PSS', subjectCN: 'mx.test.example',
      issuerCN: 'mxprobe Test Intermediate CA', sha256: FP, spkiSha256: PK, matchedName: 'mx.test.example', verifyError: null,
    });
  });

  it('TLS 1.2: no key-exchange words in Postfix 3.7', () => {
    const f = parseFinger(`${cert('mx.test.example', 'I')}\nposttls-finger: Verified TLS connection established to ${H}: TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)\n`);
    expect([f.protocol, f.cipher, f.cipherBits, f.keyExchange]).toEqual(['TLSv1.2', 'ECDHE-RSA-AES128-GCM-SHA256', 128, null]);
  });

  it.each([
    ['certificate verification failed for', 'self-signed certificate'],
    ['server certificate verification failed for', 'certificate has expired'],
    ['server certificate verification failed for', 'num=62:hostname mismatch'],
    ['certificate verification failed for', 'untrusted issuer /O=mxprobe tests/CN=mxprobe Test Intermediate CA'],
  ])('Untrusted: %s … %s', (prefix, reason) => {
    const f = parseFinger([
      `posttls-finger: ${prefix} ${H}: ${reason}`,
      cert('mx.test.example', 'mx.test.example'),
      `posttls-finger: Untrusted TLS connection established to ${H}: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256`,
    ].join('\n'));
    expect([f.trust, f.verifyError, f.matchedName]).toEqual(['Untrusted', reason, null]);
  });

  it('no STARTTLS: -c prints nothing', () => {
    expect(parseFinger('')).toMatchObject({ trust: null, protocol: null, sha256: null });
  });
});

describe('parseSClient', () => {
  it('trusted', () => {
    const f = parseSClient('depth=2 CN = R\nverify return:1\n---\nNew, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384\nServer public key is 2048 bit\nVerify return code: 0 (ok)\n---\n');
    expect(f).toEqual({ handshake: true, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', verifyCode: 0, verifyText: 'ok', verifyError: null, starttlsMissing: false });
  });

  it('self-signed, handshake aborted by -verify_return_error', () => {
    const f = parseSClient([
      'depth=0 CN = mx.test.example', 'verify error:num=18:self-signed certificate',
      '40A7FEF6267F0000:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:',
      '---', 'New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384', 'Verify return code: 18 (self-signed certificate)',
    ].join('\n'));
    expect([f.verifyCode, f.verifyText, f.verifyError]).toEqual([18, 'self-signed certificate', 'self-signed certificate']);
  });

  it('server without STARTTLS', () => {
    const f = parseSClient("Didn't find STARTTLS in server response, trying anyway...\n40E7:error:0A00010B:SSL routines:ssl3_get_record:wrong version number\n---\nNew, (NONE), Cipher is (NONE)\nVerify return code: 0 (ok)\n");
    expect([f.handshake, f.protocol, f.starttlsMissing]).toEqual([false, null, true]);
  });
});
