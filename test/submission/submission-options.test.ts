// resolveSubmissionOptions: where the AUTH password comes from (never argv: the library's
// authPassword, a file's first line, or MXPROBE_AUTH_PASSWORD), and every bad combination as
// a one-line UsageError that never quotes the password.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSubmissionOptions, submissionOf } from '../../src/submission-options.js';
import { UsageError } from '../../src/errors.js';
import type { ProbeOptions } from '../../src/types.js';

const dir = mkdtempSync(join(tmpdir(), 'mxprobe-submission-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};
const SECRET = 'from-the-file';

describe('the AUTH password', () => {
  it.each([
    ['the environment', { auth: 'PLAIN', authUser: 'u' }, { MXPROBE_AUTH_PASSWORD: 'from-env' }, 'from-env'],
    ['a file (first line, line end dropped)', { auth: 'PLAIN', authUser: 'u', authPasswordFile: file('pw', `${SECRET}\r\nsecond line\n`) }, { MXPROBE_AUTH_PASSWORD: 'from-env' }, SECRET],
    ['the library option', { auth: 'PLAIN', authUser: 'u', authPassword: 'from-option' }, { MXPROBE_AUTH_PASSWORD: 'from-env' }, 'from-option'],
  ] as const)('from %s', (_name, options, env, password) => {
    expect(resolveSubmissionOptions(options as ProbeOptions, env).auth).toEqual({ mechanism: 'PLAIN', user: 'u', password, insecure: false });
  });

  it('a bare --auth (true) and "auto" pick the strongest offered; the mechanism is case-insensitive', () => {
    expect(resolveSubmissionOptions({ auth: true, authUser: 'u' }, { MXPROBE_AUTH_PASSWORD: 'p' }).auth?.mechanism).toBe('auto');
    expect(resolveSubmissionOptions({ auth: 'scram-sha-256' as never, authUser: 'u' }, { MXPROBE_AUTH_PASSWORD: 'p' }).auth?.mechanism).toBe('SCRAM-SHA-256');
  });

  it.each([
    ['no password anywhere', { auth: 'PLAIN', authUser: 'u' }, {}, /^--auth needs a password: set MXPROBE_AUTH_PASSWORD or give --auth-password-file FILE \(never on the command line\)$/],
    ['no user', { auth: 'PLAIN' }, { MXPROBE_AUTH_PASSWORD: 'p' }, /^--auth needs --auth-user USER$/],
    ['an empty password file', { auth: 'PLAIN', authUser: 'u', authPasswordFile: file('empty', '\n') }, {}, /^the AUTH password is empty$/],
    ['a missing password file', { auth: 'PLAIN', authUser: 'u', authPasswordFile: join(dir, 'nope') }, {}, /^--auth-password-file: cannot read .*nope: ENOENT$/],
    ['a NUL in the password', { auth: 'PLAIN', authUser: 'u', authPassword: 'a\0b-secret' }, {}, /^the AUTH password contains a NUL or a line break$/],
    ['an unknown mechanism', { auth: 'GSSAPI', authUser: 'u' }, { MXPROBE_AUTH_PASSWORD: 'p' }, /^--auth: unknown mechanism 'GSSAPI' \(one of SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN;/],
    ['--auth-user without --auth', { authUser: 'u' }, {}, /^--auth-user needs --auth \[MECHANISM\]$/],
    ['--auth-password-file without --auth', { authPasswordFile: file('pw2', 'x') }, {}, /^--auth-password-file needs --auth \[MECHANISM\]$/],
    ['level none without --auth-insecure', { level: 'none', auth: 'PLAIN', authUser: 'u' }, { MXPROBE_AUTH_PASSWORD: 'p' }, /^--auth at level none would send the password without TLS: add --auth-insecure if that is what you want$/],
    ['--requiretls at level none', { level: 'none', requireTls: true }, {}, /^--requiretls needs TLS, and level none never starts it$/],
  ] as const)('refuses %s', (_name, options, env, message) => {
    let error: unknown;
    try {
      resolveSubmissionOptions(options as ProbeOptions, env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/secret|from-the-file/);
  });
});

describe('submissionOf', () => {
  it('reads the resolved fields, with defaults when resolveOptions did not add them', () => {
    expect(submissionOf({})).toEqual({ auth: null, clientCert: null, requireTls: false, compareRelay: false });
    const resolved = resolveSubmissionOptions({ requireTls: true }, {});
    expect(submissionOf({ level: 'verify', ...resolved })).toEqual({ auth: null, clientCert: null, requireTls: true, compareRelay: false });
  });
});
