// The one sanitizer for everything that came from outside — a server's banner and replies, DNS
// names, certificate fields, a file's lines, the user's own arguments — in every output: tables,
// verdict lines, Nagios, JSON/NDJSON and every message on stderr. A banner holding ESC [2J, an
// OSC 52 clipboard write or a bidi override must not repaint, reorder or reach the admin's screen
// or clipboard, whether it is printed by us or by `jq -r` from our JSON.

// C0 controls (TAB, LF and CR included: callers split lines first), DEL, C1 controls, the bidi
// marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A–E, U+2066–9), the zero-width
// characters that hide text (U+200B–D, U+2060, U+FEFF), and the Unicode line/paragraph separators
// that some line splitters treat as newlines.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_TEST = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff]/;

/** How much of an outside string a message echoes: "first 200 characters … (N characters)". */
export const ECHO_LIMIT = 200;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One safe line: every unsafe character becomes a visible escape (`\x1b`, `\u202e`). */
export function clean(text: string): string {
  return UNSAFE_TEST.test(text) ? text.replace(UNSAFE, escapeChar) : text;
}

/** Several safe lines: split on CRLF/LF first, then `clean` each line. */
export function cleanLines(text: string): string[] {
  return text.split(/\r?\n/).map(clean);
}

/**
 * An outside string inside a message: made safe and bounded, so a 50 MB line or a
 * 10,000-character host name is quoted as its first `limit` characters and its length.
 */
export function echo(text: string, limit = ECHO_LIMIT): string {
  if (text.length <= limit) return clean(text);
  return `${clean(text.slice(0, limit))}… (${text.length} characters)`;
}

/** `echo` in double quotes, for a value inside a sentence. */
export function quoted(text: string, limit = ECHO_LIMIT): string {
  return `"${echo(text, limit)}"`;
}

// In JSON text: an escaped backslash (kept as is), a \u escape of a C0 control other than LF and
// TAB, the short escapes of CR, BS and FF (JSON.stringify writes \r \b \f, ECMA-262
// QuoteJSONString), or a raw DEL / C1 / bidi / zero-width / separator character.
const JSON_UNSAFE = /\\\\|\\u00(?:0[0-8bcdef]|1[0-9a-fA-F])|\\[rbf]|[\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff]/g;
const JSON_UNSAFE_TEST = /\\u00(?:0[0-8bcdef]|1[0-9a-fA-F])|\\[rbf]|[\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u2028\u2029\ufeff]/;
const SHORT_ESCAPES: Record<string, string> = { '\\r': '\\\\x0d', '\\b': '\\\\x08', '\\f': '\\\\x0c' };

/**
 * JSON text whose strings are terminal-safe after decoding: control characters (but LF and TAB,
 * which join reply lines), DEL, C1, bidi and invisible characters become the visible escapes
 * `clean` writes (the JSON string holds the four characters `\x1b`). So `jq -r` never puts a
 * server's ESC sequence on a terminal. Runs on the serialized text: one test per document in the
 * common case where nothing matches.
 */
export function safeJson(json: string): string {
  if (!JSON_UNSAFE_TEST.test(json)) return json;
  return json.replace(JSON_UNSAFE, (m) => {
    if (m === '\\\\') return m;
    if (m in SHORT_ESCAPES) return SHORT_ESCAPES[m];
    if (m.startsWith('\\u')) return `\\\\x${m.slice(4).toLowerCase()}`;
    return `\\${escapeChar(m)}`;
  });
}
