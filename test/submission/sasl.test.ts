// The SASL client mechanisms against the test vectors of their RFCs, and the SCRAM checks a
// hostile or broken server must not get past.
import { describe, expect, it } from 'vitest';
import { chooseMechanism, createSaslClient, SaslError, SCRAM_MAX_ITERATIONS } from '../../src/smtp/sasl.js';
import { saslPrep, saslPrepStrict } from '../../src/smtp/saslprep.js';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('PLAIN (RFC 4616)', () => {
  it('sends [authzid] NUL authcid NUL passwd as the initial response', () => {
    const c = createSaslClient('PLAIN', { user: 'tim', password: 'tanstaaftanstaaf' });
    // RFC 4616 §4 example, without authzid.
    expect(c.initialResponse()).toEqual(b('\0tim\0tanstaaftanstaaf'));
    expect(c.initialResponse()!.toString('base64')).toBe('AHRpbQB0YW5zdGFhZnRhbnN0YWFm');
    expect(c.finish()).toBeNull();
  });

  it('refuses a challenge after the initial response', async () => {
    const c = createSaslClient('PLAIN', { user: 'u', password: 'p' });
    await expect(c.respond(b(''))).rejects.toMatchObject({ kind: 'malformed' });
  });
});

describe('LOGIN (draft-murchison-sasl-login)', () => {
  it('answers the Username: and Password: prompts', async () => {
    const c = createSaslClient('LOGIN', { user: 'alice', password: 'secret' });
    expect(c.initialResponse()).toBeNull();
    expect((await c.respond(Buffer.from('VXNlcm5hbWU6', 'base64'))).toString()).toBe('alice');
    expect((await c.respond(Buffer.from('UGFzc3dvcmQ6', 'base64'))).toString()).toBe('secret');
    await expect(c.respond(b('Password:'))).rejects.toBeInstanceOf(SaslError);
  });

  it('goes by order when the prompts are not the usual words', async () => {
    const c = createSaslClient('LOGIN', { user: 'alice', password: 'secret' });
    expect((await c.respond(b('Who are you?'))).toString()).toBe('alice');
    expect((await c.respond(b('And?'))).toString()).toBe('secret');
  });
});

describe('CRAM-MD5 (RFC 2195)', () => {
  it('answers the RFC 2195 §2 example', async () => {
    const c = createSaslClient('CRAM-MD5', { user: 'tim', password: 'tanstaaftanstaaf' });
    expect(c.initialResponse()).toBeNull();
    const answer = await c.respond(b('<1896.697170952@postoffice.reston.mci.net>'));
    expect(answer.toString()).toBe('tim b913a602c7eda7a495b4e6e7334d3890');
    // The base64 the RFC shows on the wire.
    expect(answer.toString('base64')).toBe('dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw');
  });
});

describe('SCRAM-SHA-256 (RFC 5802, RFC 7677)', () => {
  // RFC 7677 §3: user "user", password "pencil".
  const clientNonce = 'rOprNGfwEbeRWgbNEkqO';
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  const clientFinal = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
  const serverFinal = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';
  const client = () => createSaslClient('SCRAM-SHA-256', { user: 'user', password: 'pencil' }, clientNonce);

  it('produces the RFC 7677 §3 exchange and verifies the server signature', async () => {
    const c = client();
    expect(c.initialResponse()!.toString()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect((await c.respond(b(serverFirst))).toString()).toBe(clientFinal);
    expect((await c.respond(b(serverFinal))).length).toBe(0);
    expect(c.finish()).toBe(true);
  });

  it('rejects a wrong server signature: the server does not know the password', async () => {
    const c = client();
    await c.respond(b(serverFirst));
    await expect(c.respond(b('v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))).rejects.toMatchObject({ kind: 'server-unverified' });
  });

  it('rejects a 235 without the server signature', async () => {
    const c = client();
    await c.respond(b(serverFirst));
    expect(() => c.finish()).toThrow(SaslError);
  });

  it('reports a server-final e= as the server refusing', async () => {
    const c = client();
    await c.respond(b(serverFirst));
    await expect(c.respond(b('e=invalid-proof'))).rejects.toMatchObject({ kind: 'server-unverified', message: /invalid-proof/ });
  });

  it.each([
    ['nonce that does not extend ours', 'r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'],
    ['nonce equal to ours', `r=${'rOprNGfwEbeRWgbNEkqO'},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`],
    ['no salt', 'r=rOprNGfwEbeRWgbNEkqOxyz,i=4096'],
    ['iteration count 0', 'r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0'],
    ['iteration count not a number', 'r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4e3'],
    ['CPU-burning iteration count', `r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=${SCRAM_MAX_ITERATIONS + 1}`],
    ['mandatory extension', 'm=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'],
    ['not attribute=value', 'garbage'],
  ])('refuses a server-first-message with a %s', async (_name, message) => {
    await expect(client().respond(b(message))).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('escapes = and , in the user name (RFC 5802 §5.1 saslname)', () => {
    const c = createSaslClient('SCRAM-SHA-256', { user: 'a=b,c', password: 'x' }, 'nonce');
    expect(c.initialResponse()!.toString()).toBe('n,,n=a=3Db=2Cc,r=nonce');
  });

  it('makes a fresh printable nonce per exchange', () => {
    const first = createSaslClient('SCRAM-SHA-256', { user: 'u', password: 'p' }).initialResponse()!.toString();
    const second = createSaslClient('SCRAM-SHA-256', { user: 'u', password: 'p' }).initialResponse()!.toString();
    expect(first).not.toBe(second);
    expect(first).toMatch(/^n,,n=u,r=[\x21-\x2b\x2d-\x7e]{16,}$/);
  });
});

describe('SASLprep (RFC 4013 §3 examples)', () => {
  it.each([
    ['I\u00ADX', 'IX'], // SOFT HYPHEN mapped to nothing
    ['user', 'user'],
    ['USER', 'USER'], // case preserved
    ['\u00AA', 'a'], // NFKC
    ['\u2168', 'IX'], // NFKC
    ['pass\u00A0word', 'pass word'], // non-ASCII space to SPACE
  ])('%j → %j', (input, output) => {
    expect(saslPrepStrict(input)).toBe(output);
  });

  it.each([['\u0007'], ['\u0627\u0031']])('prohibits %j, and then the string is used as it is', (input) => {
    expect(saslPrepStrict(input)).toBeNull();
    expect(saslPrep(input)).toBe(input);
  });
});

describe('chooseMechanism', () => {
  it.each([
    [['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256'], 'auto', 'SCRAM-SHA-256'],
    [['PLAIN', 'LOGIN', 'CRAM-MD5'], 'auto', 'CRAM-MD5'],
    [['login', 'plain'], 'auto', 'PLAIN'],
    [['LOGIN'], 'auto', 'LOGIN'],
    [['XOAUTH2', 'GSSAPI'], 'auto', null],
    [['PLAIN', 'SCRAM-SHA-256'], 'PLAIN', 'PLAIN'],
    [['PLAIN'], 'CRAM-MD5', null],
    [[], 'auto', null],
  ] as const)('offered %j, asked %s → %s', (offered, asked, chosen) => {
    expect(chooseMechanism(offered, asked)).toBe(chosen);
  });
});
