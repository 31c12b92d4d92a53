// The TLSA records to publish for a certificate (or a key), for a DANE rollover (RFC 7671 §8.1,
// Postfix TLS_README "dane"): publish the next certificate's record next to the current one,
// wait for the TTL, switch. The library call behind `mxprobe tlsa`.
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { UsageError } from '../errors.js';
import { associationData } from './tlsa.js';
import { readPemCertificates } from '../pem.js';

export interface TlsaRecordOptions {
  usage?: number;
  selector?: number;
  matching?: number;
}

export interface TlsaLine {
  usage: number;
  selector: number;
  matchingType: number;
  data: string;
  /** Which certificate or key of the file, e.g. "CN=mx.example.com (leaf)". */
  source: string;
}

interface Material {
  certs: X509Certificate[];
  /** A bare public or private key: only selector 1 can describe it. */
  key: KeyObject | null;
}

export function readMaterial(text: string, file: string): Material {
  if (text.includes('-----BEGIN CERTIFICATE-----')) return { certs: readPemCertificates(text, file).certificates, key: null };
  try {
    // createPublicKey takes public keys and derives them from private ones (PEM of either).
    return { certs: [], key: createPublicKey(text) };
  } catch {
    throw new UsageError(`${file}: neither a PEM certificate nor a PEM key`);
  }
}

const name = (c: X509Certificate) => c.subject.split('\n').filter(Boolean).join(', ');

/**
 * Records for the material. Defaults follow Postfix's advice: "3 1 1" for the leaf
 * (survives re-issuing with the same key) and, when the file also holds the issuer,
 * "2 1 1" for it. Explicit --usage/--selector/--matching give exactly one record.
 */
export function tlsaLines(m: Material, o: TlsaRecordOptions): TlsaLine[] {
  const selector = o.selector ?? 1;
  const matching = o.matching ?? 1;
  const explicit = o.usage !== undefined;
  const spkiLine = (usage: number, key: KeyObject, source: string): TlsaLine => {
    if (selector !== 1) throw new UsageError('a bare key has no certificate: use --selector 1');
    const spki = key.export({ type: 'spki', format: 'der' });
    const data = matching === 0 ? spki : createHash(matching === 1 ? 'sha256' : 'sha512').update(spki).digest();
    return { usage, selector, matchingType: matching, data: data.toString('hex'), source };
  };
  const certLine = (usage: number, c: X509Certificate, role: string): TlsaLine =>
    ({ usage, selector, matchingType: matching, data: associationData(c, selector, matching).toString('hex'), source: `${name(c)} (${role})` });

  if (m.key) return [spkiLine(o.usage ?? 3, m.key, 'public key')];
  const [leaf, ...rest] = m.certs;
  const issuer = rest[0] ?? null;
  if (explicit && o.usage === 2) {
    // DANE-TA: the issuer when the file has one, else the certificate itself (a CA file).
    const anchor = issuer ?? leaf;
    return [certLine(2, anchor, issuer ? 'issuer' : leaf.ca ? 'CA' : 'certificate')];
  }
  if (explicit) return [certLine(o.usage!, leaf, 'leaf')];
  const lines = [certLine(3, leaf, 'leaf')];
  if (issuer) lines.push(certLine(2, issuer, 'issuer'));
  return lines;
}

/**
 * TLSA records for the PEM text of a certificate (with its chain) or a key. `source` names the
 * file in errors. Defaults: "3 1 1" for the leaf and "2 1 1" for its issuer when the file has one.
 */
export function tlsaRecords(pem: string, source: string, o: TlsaRecordOptions = {}): TlsaLine[] {
  return tlsaLines(readMaterial(pem, source), o);
}

/** "_25._tcp.mx.example.com" from --name HOST and --tlsa-port (default 25); a name already starting with "_" is kept. */
export function tlsaOwner(host: string | undefined, port: number | undefined): string | undefined {
  if (!host) return undefined;
  return host.startsWith('_') ? host : `_${port ?? 25}._tcp.${host.replace(/\.$/, '')}`;
}
