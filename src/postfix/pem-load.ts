// Loading keys and certificate chains as Postfix does (postfix/src/tls/tls_certkey.c, 3.7):
// smtpd_tls_chain_files is one PEM stream over all files, "key1, cert1, [chain1], key2, ..." (each
// key immediately before its certificate); a legacy cert file that is also the key file is
// "mixed" (one key anywhere, the first certificate is the leaf); separate legacy cert and key
// files are loaded as SSL_CTX_use_certificate_chain_file + SSL_CTX_use_PrivateKey_file. Errors
// carry Postfix's own wording, so the admin can find them in the maillog after a reload.
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface PemObject {
  file: string;
  /** 1-based position in its file (Postfix's "PEM object number"). */
  index: number;
  type: string;
  pem: string;
}

export interface LoadedChain {
  files: string[];
  key: KeyObject;
  keyAt: string;
  certificates: X509Certificate[];
}

export interface LoadResult {
  chains: LoadedChain[];
  /** Postfix's warnings for this input; any of them means TLS is disabled after a reload. */
  errors: string[];
  /** Postfix's warnings that do not stop the load ("ignoring PEM type"). */
  warnings: string[];
}

const CERT_TYPES = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
const KEY_TYPES = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'DSA PRIVATE KEY']);

/** The PEM objects of a file, in order; a read error is returned as Postfix would log it. */
export function readPem(file: string): PemObject[] | string {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `cannot open ${file}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : (err as Error).message}`;
  }
  const out: PemObject[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ file, index: out.length + 1, type: m[1], pem: m[0] });
  return out;
}

function parseKey(o: PemObject): KeyObject | null {
  try {
    return createPrivateKey({ key: o.pem, format: 'pem' });
  } catch {
    return null; // also an encrypted key: Postfix has no passphrase to give
  }
}

function parseCert(o: PemObject): X509Certificate | null {
  try {
    return new X509Certificate(o.pem);
  } catch {
    return null;
  }
}

/** Key and certificate carry the same public key (SSL_CTX_use_cert_and_key's check). */
export function keyMatches(key: KeyObject, cert: X509Certificate): boolean {
  try {
    const a = createPublicKey(key).export({ type: 'spki', format: 'der' });
    const b = cert.publicKey.export({ type: 'spki', format: 'der' });
    return a.equals(b);
  } catch {
    return false;
  }
}

/** smtpd_tls_chain_files: tls_certkey.c load_pem_object()/load_pkey()/load_cert(), non-mixed. */
export function loadChainFiles(files: string[]): LoadResult {
  const r: LoadResult = { chains: [], errors: [], warnings: [] };
  let key: { key: KeyObject; at: string; file: string } | null = null;
  let certs: X509Certificate[] = [];
  let certFiles = new Set<string>();
  const finish = (): boolean => {
    if (!key) return true;
    if (!keyMatches(key.key, certs[0])) {
      r.errors.push(`error loading certificate chain: key at ${key.at} does not match the certificate`);
      return false;
    }
    r.chains.push({ files: [...new Set([key.file, ...certFiles])], key: key.key, keyAt: key.at, certificates: certs });
    return true;
  };
  for (const file of files) {
    const objects = readPem(file);
    if (typeof objects === 'string') {
      r.errors.push(objects);
      return r;
    }
    for (const o of objects) {
      const at = `index ${o.index} in ${file}`;
      if (CERT_TYPES.has(o.type)) {
        if (!key) {
          r.errors.push(`error loading chain from ${file}: key not first`);
          return r;
        }
        const cert = parseCert(o);
        if (!cert) {
          r.errors.push(`error loading certificate (PEM object number ${o.index}) from ${file}`);
          return r;
        }
        certs.push(cert);
        certFiles.add(file);
      } else if (KEY_TYPES.has(o.type)) {
        if (key && certs.length === 0) {
          r.errors.push(`error loading certificate chain: key at ${key.at} not followed by a certificate`);
          return r;
        }
        if (!finish()) return r;
        const k = parseKey(o);
        if (!k) {
          r.errors.push(`error loading private key (PEM object number ${o.index}) from ${file}`);
          return r;
        }
        key = { key: k, at, file };
        certs = [];
        certFiles = new Set();
      } else {
        r.warnings.push(`loading ${file}: ignoring PEM type: ${o.type}`);
      }
    }
  }
  if (!key) r.errors.push(`No PEM data in ${files.join(', ')}`);
  else if (certs.length === 0) r.errors.push(`No certs for key at ${key.at}`);
  else finish();
  return r;
}

/** Legacy cert_file/key_file (tls_certkey.c set_cert_stuff(), load_mixed_file()). */
export function loadLegacyPair(kind: string, certFile: string, keyFile: string): LoadResult {
  const r: LoadResult = { chains: [], errors: [], warnings: [] };
  const certObjects = readPem(certFile);
  if (typeof certObjects === 'string') return { ...r, errors: [`cannot get ${kind} certificate from file "${certFile}": ${certObjects}`] };
  const keyObjects = keyFile === certFile ? certObjects : readPem(keyFile);
  if (typeof keyObjects === 'string') return { ...r, errors: [`cannot get ${kind} private key from file "${keyFile}": ${keyObjects}`] };
  const certs: X509Certificate[] = [];
  for (const o of certObjects.filter((x) => CERT_TYPES.has(x.type))) {
    const c = parseCert(o);
    if (!c) return { ...r, errors: [`error loading certificate (PEM object number ${o.index}) from ${certFile}`] };
    certs.push(c);
  }
  if (certs.length === 0) return { ...r, errors: [keyFile === certFile ? `No certs in ${certFile}` : `cannot get ${kind} certificate from file "${certFile}"`] };
  const keys = keyObjects.filter((x) => KEY_TYPES.has(x.type));
  if (keys.length === 0) return { ...r, errors: [keyFile === certFile ? `No private key found in ${certFile}` : `cannot get ${kind} private key from file "${keyFile}"`] };
  if (keyFile === certFile && keys.length > 1) r.warnings.push(`ignoring 2nd key at index ${keys[1].index} in ${certFile} after 1st at ${keys[0].index}`);
  const key = parseKey(keys[0]);
  if (!key) return { ...r, errors: [`error loading private key (PEM object number ${keys[0].index}) from ${keyFile}`] };
  if (!keyMatches(key, certs[0])) {
    return { ...r, errors: [`${kind} private key in ${keyFile} does not match public key in ${certFile}: disabling TLS support`] };
  }
  r.chains.push({ files: [...new Set([certFile, keyFile])], key, keyAt: `index ${keys[0].index} in ${keyFile}`, certificates: certs });
  return r;
}
