// One reader for the PEM certificate files a user hands us (--ca-file, --next-cert, tlsa --cert).
// Every CERTIFICATE block must be a whole certificate: a CA file with one corrupt block must not
// be half-used and then blamed on the server as "untrusted (missing-intermediate)".
// PEM as RFC 7468 §2–3 has it: "-----BEGIN label-----", base64 lines, "-----END label-----" with
// the same label; text between blocks is explanation and ignored (so is what `openssl x509
// -text` or PKCS#12 "Bag Attributes" put there), other labels (keys, CRLs) are skipped.
import { X509Certificate } from 'node:crypto';
import { UsageError } from './errors.js';

export interface PemCertificates {
  /** The certificates re-encoded as PEM, in file order: exactly what was checked, nothing else. */
  pem: string;
  certificates: X509Certificate[];
}

const BEGIN = /^-----BEGIN ([^-]*)-----\s*$/;
const END = /^-----END ([^-]*)-----\s*$/;
// RFC 7468 §3 strict base64 lines (whitespace allowed around), '=' only as padding at the end.
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

interface Block {
  label: string;
  /** 1-based number among all blocks of the file, and the line of its BEGIN. */
  index: number;
  line: number;
  body: string[];
}

function blocksOf(text: string, source: string): Block[] {
  const blocks: Block[] = [];
  let open: Block | null = null;
  const lines = text.split(/\r?\n|\r/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const n = i + 1;
    const begin = BEGIN.exec(line);
    const end = END.exec(line);
    if (begin) {
      if (open) throw new UsageError(`${source}: PEM block ${open.index} (line ${open.line}, ${open.label}) has no END line before the BEGIN at line ${n}`);
      open = { label: begin[1], index: blocks.length + 1, line: n, body: [] };
    } else if (end) {
      if (!open) throw new UsageError(`${source}: line ${n}: "-----END ${end[1]}-----" without a BEGIN`);
      if (end[1] !== open.label) throw new UsageError(`${source}: PEM block ${open.index} (line ${open.line}) begins as ${open.label} but ends as ${end[1]} (line ${n})`);
      blocks.push(open);
      open = null;
    } else if (/-----(BEGIN|END)\b/.test(line)) {
      throw new UsageError(`${source}: line ${n}: malformed PEM marker ${JSON.stringify(line.slice(0, 60))}`);
    } else if (open) {
      open.body.push(line);
    }
  });
  if (open) {
    const o = open as Block;
    throw new UsageError(`${source}: PEM block ${o.index} (line ${o.line}, ${o.label}) has no END line`);
  }
  return blocks;
}

function certificateOf(block: Block, source: string): X509Certificate {
  const where = `${source}: certificate in PEM block ${block.index} (line ${block.line})`;
  const body = block.body.filter((l) => l !== '');
  if (body.length === 0) throw new UsageError(`${where} is empty`);
  const bad = body.findIndex((l, i) => !BASE64_LINE.test(l) || (l.includes('=') && i !== body.length - 1));
  if (bad >= 0) throw new UsageError(`${where} is not base64 (at its line ${bad + 1}: ${JSON.stringify(body[bad].slice(0, 40))})`);
  const b64 = body.join('');
  if (b64.length % 4 !== 0) throw new UsageError(`${where} is not base64 (truncated: ${b64.length} characters)`);
  const der = Buffer.from(b64, 'base64');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (err) {
    throw new UsageError(`${where} cannot be parsed: ${(err as Error).message}`);
  }
  // OpenSSL reads the first DER object and ignores what follows it.
  if (cert.raw.length !== der.length) throw new UsageError(`${where} has ${der.length - cert.raw.length} bytes of garbage after the certificate`);
  return cert;
}

/**
 * The certificates of a PEM file, every CERTIFICATE block checked; `source` names the file in
 * errors ("--ca-file roots.pem"). UsageError for a block that does not parse (with its number
 * and line), broken markers, or a file without any certificate.
 */
export function readPemCertificates(text: string, source: string): PemCertificates {
  // Options are resolved once per destination: the same CA text (144 roots: ~25 ms to check)
  // is read once per process, not once per probe. Strings compare by value, cheaply when identical.
  if (last && last.text === text && last.source === source) return last.result;
  const result = readUncached(text, source);
  last = { text, source, result };
  return result;
}

let last: { text: string; source: string; result: PemCertificates } | null = null;

function readUncached(text: string, source: string): PemCertificates {
  const blocks = blocksOf(text, source);
  const certificates: X509Certificate[] = [];
  for (const block of blocks) {
    if (block.label === 'CERTIFICATE') certificates.push(certificateOf(block, source));
    else if (block.label === 'TRUSTED CERTIFICATE' || block.label === 'X509 CERTIFICATE' || block.label === 'X.509 CERTIFICATE') {
      // OpenSSL's trust-annotated form and pre-RFC 7468 labels: never skipped silently.
      throw new UsageError(`${source}: PEM block ${block.index} (line ${block.line}) is a "${block.label}": convert it with "openssl x509 -in FILE" to a plain CERTIFICATE`);
    }
  }
  if (certificates.length === 0) {
    throw new UsageError(`${source}: no PEM certificate found${blocks.length ? ` (only ${[...new Set(blocks.map((b) => b.label))].join(', ')})` : ''}`);
  }
  return { pem: certificates.map((c) => c.toString()).join(''), certificates };
}
