// main.cf and master.cf read directly, for a configuration without postconf(1) at hand (copied
// to a laptop). postconf(5) "Syntax": `name = value` logical lines, a line starting with
// whitespace continues the previous one, lines whose first non-blank is "#" are comments.
// master(5): the same continuation rule, eight fields then the command and its arguments,
// "{ ... }" around an argument with whitespace (Postfix >= 3.0). $name expansion follows
// mac_expand(3) (src/util/mac_expand.c): $name ${name} $(name) ${name?text} ${name:text}
// ${name?{text}:{text}}; the relational forms of Postfix 3.6 are not evaluated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { MasterService } from './types.js';

/** The logical lines of a Postfix config file, with their first physical line number. */
export function logicalLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*(#|$)/.test(raw)) return;
    if (/^\s/.test(raw) && out.length > 0) out[out.length - 1].text += ` ${raw.trim()}`;
    else out.push({ line: i + 1, text: raw.trimEnd() });
  });
  return out;
}

/** main.cf as written (values unexpanded); a line without "=" is a UsageError, as for postconf. */
export function parseMainCf(text: string, path = 'main.cf'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { line, text: l } of logicalLines(text)) {
    const m = /^([^=\s]+)\s*=\s*(.*)$/.exec(l);
    // postconf: fatal: /etc/postfix/main.cf, line 3: missing '=' after attribute name: "..."
    if (!m) throw new UsageError(`${path}, line ${line}: missing '=' after attribute name: "${l.slice(0, 60)}"`);
    out[m[1]] = m[2].trim();
  }
  return out;
}

/** Whitespace-separated words, "{ ... }" kept together (master(5), Postfix >= 3.0). */
function words(text: string): string[] {
  const out: string[] = [];
  const re = /\{([^}]*)\}|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] !== undefined ? `{${m[1].trim()}}` : m[2]);
  return out;
}

/** master.cf services; an entry with fewer than eight fields is a UsageError. */
export function parseMasterCf(text: string, path = 'master.cf'): MasterService[] {
  return logicalLines(text).map(({ line, text: l }) => {
    const w = words(l);
    if (w.length < 8) throw new UsageError(`${path}, line ${line}: expected 8 fields and a command, got "${l.slice(0, 60)}"`);
    const overrides: Record<string, string> = {};
    const args = w.slice(8);
    for (let i = 0; i < args.length; i++) {
      let opt: string | undefined;
      if (args[i] === '-o') opt = args[++i];
      else if (args[i].startsWith('-o')) opt = args[i].slice(2);
      if (opt === undefined) continue;
      const unbraced = opt.startsWith('{') ? opt.slice(1, -1) : opt;
      const eq = unbraced.indexOf('=');
      if (eq > 0) overrides[unbraced.slice(0, eq).trim()] = unbraced.slice(eq + 1).trim();
    }
    return {
      service: w[0], type: w[1], private: w[2], unprivileged: w[3], chroot: w[4], wakeup: w[5], processLimit: w[6],
      command: w[7], overrides,
    };
  });
}

export type Lookup = (name: string) => string | undefined;

const MAX_DEPTH = 100; // mac_expand: "unreasonable macro call nesting"

/** mac_expand(3): expand every $name form against `lookup`, recursively. */
export function expand(value: string, lookup: Lookup, depth = 0): string {
  if (depth > MAX_DEPTH) throw new UsageError(`unreasonable macro call nesting: "${value.slice(0, 60)}"`);
  let out = '';
  for (let i = 0; i < value.length; ) {
    const c = value[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{' || next === '(') {
      const end = closing(value, i + 1);
      if (end < 0) throw new UsageError(`unmatched "${next}" in "${value.slice(0, 60)}"`);
      out += conditional(value.slice(i + 2, end), lookup, depth);
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z0-9_]+/.exec(value.slice(i + 1));
    if (!m) {
      out += c;
      i++;
      continue;
    }
    out += expand(lookup(m[0]) ?? '', lookup, depth + 1);
    i += 1 + m[0].length;
  }
  return out;
}

/** Index of the bracket closing the one at `open` (nesting counted). */
function closing(s: string, open: number): number {
  const [o, c] = s[open] === '{' ? ['{', '}'] : ['(', ')'];
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === o) depth++;
    else if (s[i] === c && --depth === 0) return i;
  }
  return -1;
}

/** name, name?text, name:text, name?{a}:{b} (the inside of ${...}). */
function conditional(inner: string, lookup: Lookup, depth: number): string {
  const m = /^([A-Za-z0-9_]+)\s*(?:([?:])\s*([\s\S]*))?$/.exec(inner.trim());
  if (!m) return ''; // relational expressions (Postfix >= 3.6) are not evaluated here
  const value = expand(lookup(m[1]) ?? '', lookup, depth + 1);
  if (!m[2]) return value;
  const set = value !== '';
  let [whenSet, whenUnset] = m[2] === '?' ? [m[3], ''] : ['', m[3]];
  const both = /^\{([\s\S]*)\}\s*:\s*\{([\s\S]*)\}$/.exec(m[3]);
  if (m[2] === '?' && both) [whenSet, whenUnset] = [both[1], both[2]];
  const text = (set ? whenSet : whenUnset).replace(/^\{([\s\S]*)\}$/, '$1');
  return expand(text, lookup, depth + 1);
}

/** Read a file of the configuration directory; a missing or unreadable one is a UsageError. */
export function readConfigFile(configDir: string, name: string): string {
  const path = join(configDir, name);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
}
