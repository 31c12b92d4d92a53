// Running postconf(1): the one reader that knows Postfix's defaults, $name expansion, master.cf
// syntax and the version at hand (postconf(1): -n explicit settings, -x expand, -F master.cf
// fields, -P master.cf -o overrides, -o name=value evaluate as if overridden, -c another instance).
// One process per parameter set; its warnings (stderr "postconf: warning: ...") are kept and
// quoted, its fatal errors become one-line UsageErrors.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { UsageError } from '../errors.js';

export interface PostconfOutput {
  /** `name = value` lines (or `service/type/name = value` with -F / -P), in order. */
  entries: [string, string][];
  /** postconf's own warnings, without the "postconf: warning: " prefix. */
  warnings: string[];
}

/** postconf is usually in /usr/sbin, which a non-root PATH often lacks. */
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** A binary on PATH or in the sbin directories, or null. */
export function findBinary(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN_DIRS]) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

export const findPostconf = (env: NodeJS.ProcessEnv = process.env): string | null => findBinary('postconf', env);

/** `name = value` → [name, value]; postconf prints "name =" for an empty value. */
export function parseEntries(stdout: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) =(?: (.*))?$/.exec(line);
    if (m) out.push([m[1], m[2] ?? '']);
  }
  return out;
}

// Postfix prefixes its messages with argv[0]: "/usr/sbin/postconf: warning: ...".
const WARNING = /^(?:\S*\/)?postconf: warning: (.*)$/;
const FATAL = /^(?:\S*\/)?postconf: fatal: (.*)$/m;

/** Runs `postconf [-c DIR] ARGS`; a fatal error or a missing binary is a UsageError naming it. */
export function runPostconf(bin: string, configDir: string | undefined, args: string[], timeoutMs = 20_000): Promise<PostconfOutput> {
  const argv = [...(configDir ? ['-c', configDir] : []), ...args];
  return new Promise((resolve, reject) => {
    // LANG=C: postconf's messages are English anyway; this keeps any library message so too.
    execFile(bin, argv, { timeout: timeoutMs, maxBuffer: 16 << 20, env: { ...process.env, LANG: 'C', LC_ALL: 'C' } }, (err, stdout, stderr) => {
      const warnings = stderr.split('\n').map((l) => WARNING.exec(l.trim())?.[1]).filter((w): w is string => Boolean(w));
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT' || e.code === 'EACCES') return reject(new UsageError(`postconf not usable at ${bin}: ${e.code === 'ENOENT' ? 'no such file' : 'permission denied'}`));
        if (e.killed) return reject(new UsageError(`postconf ${argv.join(' ')} did not finish within ${timeoutMs} ms`));
        const fatal = FATAL.exec(stderr)?.[1] ?? (stderr.trim().split('\n').pop() || `exit ${String(e.code)}`);
        return reject(new UsageError(`postconf: ${fatal.replace(/\s+/g, ' ')}`));
      }
      resolve({ entries: parseEntries(stdout), warnings });
    });
  });
}

/** master.cf `-F` / `-P` output: `service/type/key = value` grouped by "service/type". */
export function groupByService(entries: [string, string][]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [name, value] of entries) {
    // The service field may itself hold a "/" only in a unix-socket path, never for inet;
    // split at the last two slashes.
    const last = name.lastIndexOf('/');
    const mid = name.lastIndexOf('/', last - 1);
    if (mid < 0) continue;
    const key = name.slice(0, last);
    if (!out.has(key)) out.set(key, new Map());
    out.get(key)!.set(name.slice(last + 1), value);
  }
  return out;
}
