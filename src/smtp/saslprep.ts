// SASLprep (RFC 4013), the string preparation SCRAM applies to user names and passwords
// (RFC 5802 §2.2), for "query" strings (unassigned code points allowed, RFC 3454 §7).
// A string SASLprep prohibits is used as it is, as PostgreSQL's libpq does
// (src/common/saslprep.c pg_saslprep): the server sees the same bytes it stored for it, and
// ASCII passwords — nearly all of them — come out unchanged either way.

// RFC 3454 C.1.2: non-ASCII space characters, mapped to SPACE (RFC 4013 §2.1).
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
// RFC 3454 B.1: commonly mapped to nothing (RFC 4013 §2.1).
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
// RFC 4013 §2.3 prohibited output: RFC 3454 C.1.2 (spaces are mapped already), C.2.1 and C.2.2
// controls, C.3 private use, C.4 non-characters, C.5 surrogates, C.6 - C.9.
const PROHIBITED = new RegExp(
  '[\\u0000-\\u001F\\u007F-\\u009F\\u0340\\u0341\\u06DD\\u070F\\u180E\\u200C-\\u200F\\u2028-\\u202E\\u2060-\\u2063\\u206A-\\u206F' +
  '\\u2FF0-\\u2FFB\\uD800-\\uDFFF\\uE000-\\uF8FF\\uFDD0-\\uFDEF\\uFEFF\\uFFF9-\\uFFFF' +
  '\\u{1D173}-\\u{1D17A}\\u{E0001}\\u{E0020}-\\u{E007F}\\u{F0000}-\\u{10FFFF}\\u{1FFFE}\\u{1FFFF}\\u{2FFFE}\\u{2FFFF}]',
  'u',
);
// RFC 3454 §6 bidi rule, with the right-to-left scripts as the RandALCat set (Hebrew, Arabic,
// Syriac, Thaana, NKo and their presentation forms; an approximation of table D.1).
const RAND_AL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/u;
const L_CAT = /[A-Za-z\u00C0-\u024F\u0370-\u058F\u0900-\u1FFF\u3040-\u9FFF\uAC00-\uD7AF]/u;

/** SASLprep(s), or null when the result contains what RFC 4013 §2.3–2.4 prohibits. */
export function saslPrepStrict(s: string): string | null {
  const out = s.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
  if (PROHIBITED.test(out)) return null;
  if (RAND_AL.test(out)) {
    const chars = [...out];
    if (L_CAT.test(out) || !RAND_AL.test(chars[0]) || !RAND_AL.test(chars[chars.length - 1])) return null;
  }
  return out;
}

/** SASLprep(s); a string it prohibits is returned unchanged (see the file comment). */
export function saslPrep(s: string): string {
  return saslPrepStrict(s) ?? s;
}
