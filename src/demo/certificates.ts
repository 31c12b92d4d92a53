// The demo's PKI, made on the spot with node:crypto: a root CA and a leaf it signs, ECDSA P-256
// with SHA-256, in memory only (never written, never checked in, so no hidden expiry date). The
// fields are those of RFC 5280 §4.1, the extensions those a verifier looks at (§4.2.1).
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { bitString, boolean, explicit, implicitPrimitive, namedBits, octetString, oid, sequence, set, smallInteger, time, unsignedInteger, utf8String } from './der.js';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** keyUsage bits (RFC 5280 §4.2.1.3). */
const DIGITAL_SIGNATURE = 0;
const KEY_CERT_SIGN = 5;
const CRL_SIGN = 6;

export interface DemoCertificate {
  /** The certificate, PEM. */
  pem: string;
  /** Its private key, PKCS#8 PEM. */
  keyPem: string;
  x509: X509Certificate;
}

export interface DemoPki {
  root: DemoCertificate;
  leaf: DemoCertificate;
  /** The name the leaf carries (its only DNS SAN and its CN). */
  name: string;
}

export interface DemoPkiOptions {
  /** The leaf's name (default mx.demo.test: RFC 6761 reserves .test). */
  name?: string;
  /** Validity of both certificates, from a few minutes ago (default 90 days). */
  days?: number;
  now?: Date;
}

const DAY_MS = 86_400_000;

/** A root CA and a leaf for `name` that it signed. */
export function createDemoPki(options: DemoPkiOptions = {}): DemoPki {
  const name = options.name ?? 'mx.demo.test';
  const now = options.now ?? new Date();
  // A few minutes back, so a clock a little behind ours still finds the certificates valid.
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const notAfter = new Date(now.getTime() + (options.days ?? 90) * DAY_MS);
  const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rootName = distinguishedName('mxprobe demo', 'mxprobe demo root CA');
  const rootKeyId = keyIdentifier(rootKey.publicKey);
  const root = certificate({
    issuer: rootName, subject: rootName, notBefore, notAfter, publicKey: rootKey.publicKey, signingKey: rootKey.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true))),
      extension(OID.keyUsage, true, namedBits([KEY_CERT_SIGN, CRL_SIGN])),
      extension(OID.subjectKeyIdentifier, false, octetString(rootKeyId)),
    ],
  });
  const leaf = certificate({
    issuer: rootName, subject: distinguishedName('mxprobe demo', name), notBefore, notAfter, publicKey: leafKey.publicKey, signingKey: rootKey.privateKey,
    extensions: [
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, namedBits([DIGITAL_SIGNATURE])),
      extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
      // GeneralName dNSName [2] IA5String (RFC 5280 §4.2.1.6).
      extension(OID.subjectAltName, false, sequence(implicitPrimitive(2, Buffer.from(name, 'ascii')))),
      extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(leafKey.publicKey))),
      // AuthorityKeyIdentifier { keyIdentifier [0] IMPLICIT } (RFC 5280 §4.2.1.1).
      extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, rootKeyId))),
    ],
  });
  return {
    root: { ...root, keyPem: pkcs8(rootKey.privateKey) },
    leaf: { ...leaf, keyPem: pkcs8(leafKey.privateKey) },
    name,
  };
}

interface CertificateFields {
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  signingKey: KeyObject;
  extensions: Buffer[];
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue } (RFC 5280 §4.1). */
function certificate(f: CertificateFields): { pem: string; x509: X509Certificate } {
  const algorithm = sequence(oid(OID.ecdsaWithSha256)); // no parameters for ECDSA (RFC 5758 §3.2)
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(serialNumber()),
    algorithm,
    f.issuer,
    sequence(time(f.notBefore), time(f.notAfter)),
    f.subject,
    f.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...f.extensions)),
  );
  // node:crypto signs ECDSA as the DER Ecdsa-Sig-Value that X.509 wants (RFC 5758 §3.2).
  const der = sequence(tbs, algorithm, bitString(sign('sha256', tbs, f.signingKey)));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  return { pem, x509: new X509Certificate(der) };
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }; DER leaves out a FALSE default. */
function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** O=…, CN=… as UTF8String (RFC 5280 §4.1.2.4). */
function distinguishedName(organization: string, commonName: string): Buffer {
  return sequence(
    set(sequence(oid(OID.organization), utf8String(organization))),
    set(sequence(oid(OID.commonName), utf8String(commonName))),
  );
}

/** Up to 20 octets, positive, unpredictable (RFC 5280 §4.1.2.2). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01; // positive and never shortened to fewer octets
  return bytes;
}

/** SHA-1 of the subjectPublicKey BIT STRING's value, RFC 5280 §4.2.1.2 method (1). */
function keyIdentifier(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return createHash('sha1').update(point).digest();
}

const pkcs8 = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }) as string;

