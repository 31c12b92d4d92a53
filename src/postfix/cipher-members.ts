// Which TLS <= 1.2 ciphers an OpenSSL cipher string selects. Node cannot list the members of a
// cipher string, `openssl ciphers -V STRING` can (one line per cipher, wire id first). Without
// the openssl binary, the Postfix grade of each cipher (src/scan/cipher-info.ts gradeOf, OpenSSL's
// class rules over the default tls_*_cipherlist values) stands in: exclusions and custom lists are
// then not taken into account, and the caller says so.
import { execFile } from 'node:child_process';
import { CIPHER_GRADES } from '../policy/ciphers.js';
import { candidatesFor, type CipherInfo } from '../scan/cipher-info.js';
import { findBinary } from './postconf.js';

const cache = new Map<string, Promise<Set<string> | null>>();

/** Wire ids ("0xC0,0x2F") of the ciphers `cipherString` selects; null when openssl is not at hand or refuses it. */
export function opensslCipherIds(cipherString: string, timeoutMs = 10_000): Promise<Set<string> | null> {
  let pending = cache.get(cipherString);
  if (!pending) {
    pending = new Promise((resolve) => {
      const bin = findBinary('openssl');
      if (!bin) return resolve(null);
      execFile(bin, ['ciphers', '-V', cipherString], { timeout: timeoutMs }, (err, stdout) => {
        if (err) return resolve(err.code === 1 ? new Set() : null); // exit 1: "no cipher match"
        resolve(new Set([...stdout.matchAll(/^\s*(0x[0-9A-F]{2},0x[0-9A-F]{2}) - /gm)].map((m) => m[1])));
      });
    });
    cache.set(cipherString, pending);
  }
  return pending;
}

export interface OutsideCiphers {
  /** <= TLS 1.2 ciphers mxprobe can offer that the configured list does not contain. */
  ciphers: CipherInfo[];
  /** How membership was decided. */
  method: 'openssl' | 'grade';
}

/** The ciphers outside the configured list: offered to the server, each acceptance is a finding. */
export async function ciphersOutside(cipherString: string, grade: string): Promise<OutsideCiphers> {
  const candidates = candidatesFor('TLSv1.2');
  const ids = cipherString ? await opensslCipherIds(cipherString) : null;
  if (ids) return { ciphers: candidates.filter((c) => !ids.has(c.id)), method: 'openssl' };
  const rank = CIPHER_GRADES.indexOf(grade as (typeof CIPHER_GRADES)[number]);
  return { ciphers: candidates.filter((c) => CIPHER_GRADES.indexOf(c.grade) > rank), method: 'grade' };
}
