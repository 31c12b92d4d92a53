// A server built to break a probe's output, for the renderer tests: every reply, the banner, the
// EHLO keywords and the certificate's names carry each class of control text a terminal acts on
// (C0, ESC sequences, OSC 52 clipboard writes, DEL, C1, bidi overrides and isolates, invisible
// characters), or the longest unbroken strings the reply reader lets through (7 EHLO lines of
// 8,000 characters, 56 KB). Runs on fixtures/raw-server.ts; the certificate is made here with
// node-forge on the test PKI's leaf key, because openssl's -subj cannot carry C1 or bidi text.
import forge from 'node-forge';
import type { Script, ScriptIO } from '../../fixtures/raw-server.js';

/** One sample of each class, between visible markers so a test can find where it went. */
export const CONTROL_CLASSES = {
  c0: '\u0001\u0007\u0008\u000b\u000c\u000e\u001f',
  esc: '\u001b[2J\u001b[31m\u001bc',
  osc52: '\u001b]52;c;cGF5bG9hZA==\u0007',
  del: '\u007f',
  c1: '\u0085\u009b31m\u009d',
  bidi: '\u202e\u2066\u200f\u061c',
  invisible: '\u200b\ufeff\u2028\u2060',
} as const;

/** Every class in one string: "<c0 …><esc …>…". */
export const HOSTILE = Object.entries(CONTROL_CLASSES).map(([name, s]) => `<${name} ${s}>`).join('');

/**
 * A raw control byte in output: C0 but LF, DEL, C1, and the bidi, invisible and separator
 * characters sanitize.ts escapes. (Our own colour is ESC too: tests run without a TTY.)
 */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff]/;

/** Where the first raw control character is, with some context, or null. */
export function rawControlAt(text: string): string | null {
  const m = RAW_CONTROL.exec(text);
  if (!m) return null;
  const code = m[0].codePointAt(0)!.toString(16).padStart(4, '0');
  return `U+${code} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + 40))}`;
}

export interface HostileCert {
  keyPem: string;
  certPem: string;
}

/**
 * A self-signed certificate on `keyPem` (an RSA key in PEM) whose names carry `text`: subject
 * CN, O and OU as UTF8String, a DC of `dcLength` characters, an issuer the same, and dNSName
 * SANs with the ASCII controls an IA5String can hold.
 */
export function hostileCertificate(keyPem: string, text: string, dcLength = 64): HostileCert {
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '0badc0de';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  const attrs = [
    { shortName: 'CN', value: `mx.test.example${text}`, valueTagClass: forge.asn1.Type.UTF8 },
    { shortName: 'O', value: text, valueTagClass: forge.asn1.Type.UTF8 },
    { shortName: 'OU', value: `unit${text}`, valueTagClass: forge.asn1.Type.UTF8 },
    { type: '0.9.2342.19200300.100.1.25', value: 'd'.repeat(dcLength), valueTagClass: forge.asn1.Type.IA5STRING },
  ];
  cert.setSubject(attrs as unknown as forge.pki.CertificateField[]);
  cert.setIssuer(attrs as unknown as forge.pki.CertificateField[]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'mx.test.example' }, { type: 2, value: 'evil\u001b[2J\u0007\u007f.test.example' }] },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { keyPem, certPem: forge.pki.certificateToPem(cert) };
}

export interface HostileDialog {
  cert: HostileCert;
  /** Text put into every reply, the banner and the EHLO keywords. */
  text: string;
  /** Banner: one line of this many characters after "220 " instead of the text. */
  bannerLength?: number;
  /** EHLO reply: this many extra keyword lines of `lineLength` unbroken characters each. */
  ehloLines?: number;
  lineLength?: number;
}

/** One connection: banner, EHLO, STARTTLS, EHLO, then any MAIL/RCPT/RSET/QUIT, all hostile. */
export function hostileScript(o: HostileDialog): Script {
  const { text } = o;
  const long = (i: number) => String.fromCharCode(0x41 + (i % 26)).repeat(o.lineLength ?? 8000);
  const ehloReply = (io: ScriptIO) => {
    const lines = [`mx.test.example${text}`, `X-HOSTILE${text}`, 'PIPELINING', ...(io.secure ? ['AUTH PLAIN'] : ['STARTTLS'])];
    for (let i = 0; i < (o.ehloLines ?? 0); i++) lines.push(long(i));
    return lines.map((l, i) => `250${i === lines.length - 1 ? ' ' : '-'}${l}\r\n`).join('');
  };
  return async (io) => {
    const banner = o.bannerLength ? `220 ${'B'.repeat(o.bannerLength)}` : `220-mx.test.example${text}\r\n220 ESMTP ${text}`;
    // A raw C1 byte too, outside UTF-8: the reader must not pass it on as is.
    await io.write(Buffer.concat([Buffer.from(banner, 'utf8'), Buffer.from(o.bannerLength ? '' : ' raw\u009b', 'latin1'), Buffer.from('\r\n')]));
    for (;;) {
      let line: string;
      try {
        line = await io.readline();
      } catch {
        return; // the client went away
      }
      const verb = line.split(' ')[0].toUpperCase();
      if (verb === 'EHLO') await io.write(ehloReply(io));
      else if (verb === 'HELO') await io.writeline(`250 mx.test.example${text}`);
      else if (verb === 'STARTTLS') {
        await io.writeline(`220 2.0.0 Ready ${text}`);
        await io.starttls({ key: o.cert.keyPem, cert: o.cert.certPem });
      } else if (verb === 'MAIL') await io.writeline(`250 2.1.0 Ok ${text}`);
      else if (verb === 'RCPT') await io.writeline(`550 5.1.1 No such user ${text}`);
      else if (verb === 'RSET') await io.writeline(`250 2.0.0 Ok ${text}`);
      else if (verb === 'QUIT') {
        await io.writeline(`221 2.0.0 Bye ${text}`);
        return;
      } else await io.writeline(`502 5.5.2 What ${text}`);
    }
  };
}
