// The options of a submission walk — SMTP AUTH, the client certificate, REQUIRETLS, the relay
// comparison — checked and resolved once per run, before the first packet. resolveOptions()
// spreads the result into ResolvedOptions; the conversation reads it back with submissionOf().
// The password is read here from its file or MXPROBE_AUTH_PASSWORD, never taken from argv (where
// `ps` shows it), and no message here ever quotes it.
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';
import type { Level, ProbeOptions, SaslMechanism } from './types.js';
import { SASL_MECHANISMS } from './smtp/sasl.js';
import { loadClientCertificate, type ClientCertificate } from './tls/client-certificate.js';

/** The environment variable the CLI and the library read the AUTH password from. */
export const AUTH_PASSWORD_ENV = 'MXPROBE_AUTH_PASSWORD';

export interface ResolvedAuth {
  mechanism: SaslMechanism | 'auto';
  user: string;
  password: string;
  /** AUTH may go without TLS when TLS was not attempted or not offered (never after it failed). */
  insecure: boolean;
}

export interface SubmissionResolvedOptions {
  auth: ResolvedAuth | null;
  clientCert: ClientCertificate | null;
  requireTls: boolean;
  compareRelay: boolean;
}

const NONE: SubmissionResolvedOptions = { auth: null, clientCert: null, requireTls: false, compareRelay: false };

/** The submission options inside ResolvedOptions (defaults when resolveOptions did not add them). */
export function submissionOf(o: object): SubmissionResolvedOptions {
  const s = o as Partial<SubmissionResolvedOptions>;
  return { auth: s.auth ?? null, clientCert: s.clientCert ?? null, requireTls: s.requireTls ?? false, compareRelay: s.compareRelay ?? false };
}

export function resolveSubmissionOptions(options: ProbeOptions, env: Record<string, string | undefined> = process.env): SubmissionResolvedOptions {
  const level: Level = options.level ?? 'verify';
  const auth = resolveAuth(options, env, level);
  const clientCert = resolveClientCert(options);
  if (options.compareRelay) {
    if (!clientCert) throw new UsageError('--compare-relay compares RCPT with and without a client certificate: give --cert FILE');
    if (!options.to?.length) throw new UsageError('--compare-relay needs --to ADDR (an address in a domain the server does not host)');
  }
  if (options.requireTls && level === 'none') throw new UsageError('--requiretls needs TLS, and level none never starts it');
  if (!auth && !clientCert && !options.requireTls && !options.compareRelay) return NONE;
  return { auth, clientCert, requireTls: options.requireTls ?? false, compareRelay: options.compareRelay ?? false };
}

function resolveAuth(options: ProbeOptions, env: Record<string, string | undefined>, level: Level): ResolvedAuth | null {
  if (options.auth === undefined) {
    const stray = (['authUser', 'authPassword', 'authPasswordFile', 'authInsecure'] as const).find((k) => options[k] !== undefined && options[k] !== false);
    if (stray) throw new UsageError(`${flagOf(stray)} needs --auth [MECHANISM]`);
    return null;
  }
  const asked = options.auth === true ? 'AUTO' : String(options.auth).toUpperCase();
  const mechanism = asked === 'AUTO' ? 'auto' : SASL_MECHANISMS.find((m) => m === asked);
  if (!mechanism) throw new UsageError(`--auth: unknown mechanism '${options.auth}' (one of ${SASL_MECHANISMS.join(', ')}; without a value the strongest the server offers)`);
  const user = options.authUser;
  if (user === undefined || user === '') throw new UsageError('--auth needs --auth-user USER');
  if (/[\0\r\n]/.test(user)) throw new UsageError('--auth-user: the user name contains a NUL or a line break');
  if (options.authPassword !== undefined && options.authPasswordFile !== undefined) throw new UsageError('give the AUTH password as authPassword or authPasswordFile, not both');
  let password: string | undefined;
  if (options.authPassword !== undefined) password = options.authPassword;
  else if (options.authPasswordFile !== undefined) password = firstLine(readText(options.authPasswordFile, '--auth-password-file'));
  else password = env[AUTH_PASSWORD_ENV];
  if (password === undefined) throw new UsageError(`--auth needs a password: set ${AUTH_PASSWORD_ENV} or give --auth-password-file FILE (never on the command line)`);
  if (password === '') throw new UsageError('the AUTH password is empty');
  // PLAIN separates fields with NUL; a line break would end the command early (RFC 4954 §4).
  if (/[\0\r\n]/.test(password)) throw new UsageError('the AUTH password contains a NUL or a line break');
  const insecure = options.authInsecure ?? false;
  if (level === 'none' && !insecure) throw new UsageError('--auth at level none would send the password without TLS: add --auth-insecure if that is what you want');
  return { mechanism, user, password, insecure };
}

function resolveClientCert(options: ProbeOptions): ClientCertificate | null {
  const cert = textOrFile(options.clientCert, options.clientCertFile, 'clientCert', '--cert');
  const key = textOrFile(options.clientKey, options.clientKeyFile, 'clientKey', '--key');
  const passwordFile = options.clientKeyPasswordFile;
  if (options.clientKeyPassword !== undefined && passwordFile !== undefined) throw new UsageError('give the key password as clientKeyPassword or clientKeyPasswordFile, not both');
  const password = options.clientKeyPassword ?? (passwordFile === undefined ? undefined : firstLine(readText(passwordFile, '--key-password-file')));
  if (cert === undefined) {
    if (key !== undefined) throw new UsageError('--key needs --cert FILE');
    if (password !== undefined) throw new UsageError('--key-password-file needs --cert FILE');
    return null;
  }
  return loadClientCertificate({ cert, key, password });
}

function textOrFile(text: string | undefined, file: string | undefined, name: string, flag: string): string | undefined {
  if (text !== undefined && file !== undefined) throw new UsageError(`give ${name} as PEM text or ${name}File (${flag}), not both`);
  return file !== undefined ? readText(file, flag) : text;
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A password file's first line, without its line end (as Postfix's and curl's password files). */
const firstLine = (text: string) => text.split(/\r?\n/, 1)[0];

const FLAGS: Record<string, string> = { authUser: '--auth-user', authPassword: 'authPassword', authPasswordFile: '--auth-password-file', authInsecure: '--auth-insecure' };
const flagOf = (key: string) => FLAGS[key] ?? key;
