// The text source of a Postfix tls_policy map, read the way postmap(1) and the smtp(8) client do:
// logical lines (lines.ts), key and value (keys.ts), the value's level and attributes
// (attributes.ts). Here the entries are assembled as postmap.c does: a line without a value is
// skipped ("expected format: key whitespace value"); keys are folded to lowercase
// (DICT_FLAG_FOLD_FIX); with a duplicate key hash/lmdb/cdb keep the FIRST entry and warn
// ("duplicate entry"). Messages below are Postfix's own.
import { UsageError } from '../errors.js';
import { parsePolicyValue } from './attributes.js';
import { parsePolicyKey, splitKeyValue } from './keys.js';
import { logicalLines } from './lines.js';
import type { ParseOptions, PolicyEntry, PolicyProblem, PolicyTable } from './table-types.js';

export type { KeyKind, PolicyAttrs, PolicyProblem, PolicyEntry, PolicyTable, ParseOptions } from './table-types.js';
export { MAX_LINE_BYTES } from './lines.js';
export { parsePolicyKey, validHostname } from './keys.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** After this many problems the rest of a (probably binary) file is summarised in one line. */
export const MAX_PROBLEMS = 200;
/** What Postfix answers for a destination whose policy entry is invalid. */
export const POSTFIX_INVALID_POLICY_DSN = '4.7.5 client TLS configuration problem';

/** Parse the text (or bytes) of a tls_policy source file. Never throws on content. */
export function parsePolicyTable(input: string | Uint8Array, opts: ParseOptions = {}): PolicyTable {
  const source = opts.source ?? 'tls_policy';
  const buf = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const problems: PolicyProblem[] = [];
  const entries: PolicyEntry[] = [];
  const firstByKey = new Map<string, number>();
  const firstNul = buf.indexOf(0);
  if (firstNul >= 0) {
    const line = buf.subarray(0, firstNul).reduce((n, b) => (b === 0x0a ? n + 1 : n), 1);
    problems.push({ line, severity: 'error', code: 'binary-data', message: `${source}, line ${line}: binary data (NUL byte); mxprobe reads the text source of the table, not the .db/.lmdb/.cdb file` });
  }
  for (const ll of logicalLines(buf, source)) {
    if (ll.text === null) {
      problems.push(ll.reason!);
      continue;
    }
    const kv = splitKeyValue(ll.text);
    if (!kv) {
      problems.push({ line: ll.first, severity: 'error', code: 'unbalanced-quote', message: `${source}, line ${ll.last}: unbalanced '"' in '${ll.text.slice(0, 100)}' -- ignoring this line` });
      continue;
    }
    if (kv.key === '' || kv.value === '') {
      problems.push({ line: ll.first, severity: 'error', code: 'missing-value', message: `${source}, line ${ll.last}: expected format: key whitespace value` });
      continue;
    }
    if (kv.key.endsWith(':')) {
      problems.push({ line: ll.first, severity: 'warning', code: 'key-colon-format', message: `${source}, line ${ll.last}: record is in "key: value" format; is this an alias file?` });
    }
    const key = kv.key.toLowerCase();
    const parsedKey = parsePolicyKey(key);
    const entry: PolicyEntry = {
      line: ll.first, endLine: ll.last, key,
      keyKind: 'error' in parsedKey ? 'domain' : parsedKey.keyKind,
      host: 'error' in parsedKey ? key : parsedKey.host,
      value: kv.value.replace(/[ \t\n\v\f\r]+/g, ' '),
      level: null, attrs: {}, rawAttrs: [], valid: true,
    };
    if (!('error' in parsedKey)) {
      if (parsedKey.port !== undefined) entry.port = parsedKey.port;
      if (parsedKey.service !== undefined) entry.service = parsedKey.service;
    } else {
      // Postfix does not check keys: this one is stored but no next-hop will ever look it up.
      problems.push({ line: ll.first, severity: 'warning', code: 'invalid-key', message: `${source}, line ${ll.first}: key "${kv.key}" never matches a next-hop: ${parsedKey.error}` });
    }
    const dup = firstByKey.get(key);
    if (dup !== undefined) {
      entry.duplicateOf = dup;
      problems.push({ line: ll.first, severity: 'warning', code: 'duplicate-key', message: `${source}, line ${ll.first}: duplicate entry: "${key}" (postmap keeps the entry at line ${dup}; this one is never used)` });
    } else firstByKey.set(key, ll.first);
    const reason = parsePolicyValue(entry, key, opts, (p) => problems.push({ line: ll.first, ...p }));
    if (reason !== undefined) {
      entry.valid = false;
      entry.invalidReason = reason;
    }
    entries.push(entry);
    if (problems.length > MAX_PROBLEMS) break;
  }
  if (problems.length > MAX_PROBLEMS) {
    const last = problems[MAX_PROBLEMS - 1].line;
    problems.length = MAX_PROBLEMS;
    problems.push({ line: last, severity: 'error', code: 'too-many-problems', message: `${source}: more than ${MAX_PROBLEMS} problems, stopped after line ${last}` });
  }
  return { source, entries, problems };
}

/** Read and parse a tls_policy source file. UsageError (with the path) when it cannot be used at all. */
export async function readPolicyFile(path: string, opts: Omit<ParseOptions, 'source'> = {}): Promise<PolicyTable> {
  const { readFile, stat } = await import('node:fs/promises');
  let buf: Buffer;
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new UsageError(`policy file ${path}: is a directory`);
    if (st.size > MAX_FILE_BYTES) throw new UsageError(`policy file ${path}: too large (${st.size} bytes, limit ${MAX_FILE_BYTES})`);
    buf = await readFile(path);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new UsageError(`policy file ${path}: ${why}`);
  }
  // A file that grew between stat and read.
  if (buf.length > MAX_FILE_BYTES) throw new UsageError(`policy file ${path}: too large (${buf.length} bytes, limit ${MAX_FILE_BYTES})`);
  return parsePolicyTable(buf, { source: path, ...opts });
}
