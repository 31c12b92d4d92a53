// SASL client mechanisms for SMTP AUTH (RFC 4954), pure: bytes in, bytes out, no sockets.
// PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login-00), CRAM-MD5 (RFC 2195),
// SCRAM-SHA-256 (RFC 5802, RFC 7677) with the server signature checked.
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { SaslMechanism } from '../types.js';
import { saslPrep } from './saslprep.js';

const pbkdf2Async = promisify(pbkdf2);

export interface SaslCredentials {
  user: string;
  password: string;
}

/** The server sent something the mechanism does not allow, or failed to prove itself (SCRAM). */
export class SaslError extends Error {
  constructor(
    message: string,
    /** 'server-unverified': SCRAM's server signature was wrong, missing or an error (RFC 5802 §5.1 e=). */
    readonly kind: 'malformed' | 'server-unverified',
  ) {
    super(message);
    this.name = 'SaslError';
  }
}

export interface SaslClient {
  readonly mechanism: SaslMechanism;
  /** Sent with the AUTH command (RFC 4954 §4 initial response); null when the mechanism waits for a challenge. */
  initialResponse(): Buffer | null;
  /** The answer to one 334 challenge (already base64-decoded). */
  respond(challenge: Buffer): Promise<Buffer>;
  /**
   * After 235: SCRAM must have seen and checked the server's signature (RFC 5802 §5: the
   * client MUST verify it). true verified, null not a SCRAM mechanism; throws when missing.
   */
  finish(): boolean | null;
}

/** Strongest first: what 'auto' picks among the mechanisms the server offers. */
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['SCRAM-SHA-256', 'CRAM-MD5', 'PLAIN', 'LOGIN'];

/** The mechanism to use: the one asked for when offered, else (auto) the strongest offered; null when none fits. */
export function chooseMechanism(offered: readonly string[], asked: SaslMechanism | 'auto'): SaslMechanism | null {
  const have = new Set(offered.map((m) => m.toUpperCase()));
  if (asked !== 'auto') return have.has(asked) ? asked : null;
  return SASL_MECHANISMS.find((m) => have.has(m)) ?? null;
}

export function createSaslClient(mechanism: SaslMechanism, credentials: SaslCredentials, nonce?: string): SaslClient {
  switch (mechanism) {
    case 'PLAIN': return plain(credentials);
    case 'LOGIN': return login(credentials);
    case 'CRAM-MD5': return cramMd5(credentials);
    case 'SCRAM-SHA-256': return scramSha256(credentials, nonce ?? randomBytes(18).toString('base64'));
  }
}

// RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd; no authzid: act as authcid.
function plain({ user, password }: SaslCredentials): SaslClient {
  return {
    mechanism: 'PLAIN',
    initialResponse: () => Buffer.from(`\0${user}\0${password}`, 'utf8'),
    respond: async () => {
      throw new SaslError('server sent a challenge to AUTH PLAIN with its initial response', 'malformed');
    },
    finish: () => null,
  };
}

// draft-murchison-sasl-login-00 §2: the server asks "Username:" then "Password:" (the prompts are
// not fixed, so they are read, and their order is the fallback).
function login({ user, password }: SaslCredentials): SaslClient {
  let step = 0;
  return {
    mechanism: 'LOGIN',
    initialResponse: () => null,
    respond: async (challenge) => {
      const prompt = challenge.toString('utf8').toLowerCase();
      step++;
      if (step > 2) throw new SaslError('server asked AUTH LOGIN for more than user name and password', 'malformed');
      const wantsPassword = prompt.startsWith('pass') || (!prompt.startsWith('user') && step === 2);
      return Buffer.from(wantsPassword ? password : user, 'utf8');
    },
    finish: () => null,
  };
}

// RFC 2195 §2: response = user SP lowercase-hex(HMAC-MD5(password, challenge)).
function cramMd5({ user, password }: SaslCredentials): SaslClient {
  let answered = false;
  return {
    mechanism: 'CRAM-MD5',
    initialResponse: () => null,
    respond: async (challenge) => {
      if (answered) throw new SaslError('server sent a second CRAM-MD5 challenge', 'malformed');
      if (challenge.length === 0) throw new SaslError('empty CRAM-MD5 challenge', 'malformed');
      answered = true;
      const digest = createHmac('md5', Buffer.from(password, 'utf8')).update(challenge).digest('hex');
      return Buffer.from(`${user} ${digest}`, 'utf8');
    },
    finish: () => null,
  };
}

/**
 * A hostile server could ask for a billion PBKDF2 rounds and burn minutes of CPU. RFC 7677 §4
 * asks for at least 4096; Dovecot and Cyrus use 4096, OWASP (2023) 600 000 for PBKDF2-SHA256.
 */
export const SCRAM_MAX_ITERATIONS = 1_000_000;

/** RFC 5802 §5.1: saslname escapes "=" and "," as =3D and =2C. */
const saslName = (name: string) => name.replace(/=/g, '=3D').replace(/,/g, '=2C');

/** "r=...,s=...,i=4096" → Map; attribute order and unknown extensions as RFC 5802 §5.1 allows. */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m) throw new SaslError(`malformed SCRAM attribute ${JSON.stringify(part.slice(0, 40))}`, 'malformed');
    if (!out.has(m[1])) out.set(m[1], m[2]);
  }
  return out;
}

const hmac = (key: Buffer, data: string | Buffer) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ b[i]));

// RFC 5802 §3 and §5, with SHA-256 (RFC 7677). No channel binding: gs2 header "n,," (the
// client does not support it), so the server must not insist on it (RFC 5802 §6).
function scramSha256({ user, password }: SaslCredentials, clientNonce: string): SaslClient {
  const gs2Header = 'n,,';
  const clientFirstBare = `n=${saslName(saslPrep(user))},r=${clientNonce}`;
  let expectedServerSignature: Buffer | null = null;
  let verified = false;
  let step = 0;
  return {
    mechanism: 'SCRAM-SHA-256',
    initialResponse: () => Buffer.from(gs2Header + clientFirstBare, 'utf8'),
    respond: async (challenge) => {
      step++;
      const message = challenge.toString('utf8');
      if (step === 1) {
        const a = attributes(message);
        if (a.has('e')) throw new SaslError(`server refused SCRAM: ${a.get('e')}`, 'server-unverified');
        if (a.has('m')) throw new SaslError('server requires a SCRAM extension (m=) this client does not know', 'malformed');
        const nonce = a.get('r');
        const salt = a.get('s');
        const iterations = Number(a.get('i'));
        // RFC 5802 §5.1: the server's nonce starts with the client's.
        if (!nonce || !nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) throw new SaslError('server nonce does not extend the client nonce', 'malformed');
        if (!salt) throw new SaslError('server-first-message without a salt', 'malformed');
        if (!Number.isInteger(iterations) || iterations < 1 || !/^\d+$/.test(a.get('i') ?? '')) throw new SaslError(`bad SCRAM iteration count ${JSON.stringify(a.get('i'))}`, 'malformed');
        if (iterations > SCRAM_MAX_ITERATIONS) throw new SaslError(`SCRAM iteration count ${iterations} is over ${SCRAM_MAX_ITERATIONS}`, 'malformed');
        const saltedPassword = await pbkdf2Async(Buffer.from(saslPrep(password), 'utf8'), Buffer.from(salt, 'base64'), iterations, 32, 'sha256');
        const clientFinalWithoutProof = `c=${Buffer.from(gs2Header).toString('base64')},r=${nonce}`;
        const authMessage = `${clientFirstBare},${message},${clientFinalWithoutProof}`;
        const clientKey = hmac(saltedPassword, 'Client Key');
        const clientSignature = hmac(sha256(clientKey), authMessage);
        expectedServerSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage);
        const proof = xor(clientKey, clientSignature).toString('base64');
        return Buffer.from(`${clientFinalWithoutProof},p=${proof}`, 'utf8');
      }
      if (step === 2 && expectedServerSignature) {
        // RFC 4954 §4: the server-final-message comes as a 334 challenge, answered with an empty line.
        verifyServerFinal(message, expectedServerSignature);
        verified = true;
        return Buffer.alloc(0);
      }
      throw new SaslError('server sent more SCRAM challenges than the exchange has', 'malformed');
    },
    finish: () => {
      if (!verified) throw new SaslError('server accepted SCRAM without sending its signature (RFC 5802 §5: the client must verify the server)', 'server-unverified');
      return true;
    },
  };
}

function verifyServerFinal(message: string, expected: Buffer): void {
  const a = attributes(message);
  if (a.has('e')) throw new SaslError(`server refused SCRAM: ${a.get('e')}`, 'server-unverified');
  const v = Buffer.from(a.get('v') ?? '', 'base64');
  if (v.length !== expected.length || !timingSafeEqual(v, expected)) {
    throw new SaslError('SCRAM server signature does not match: the server does not know the password', 'server-unverified');
  }
}
