// The built CLI with --auth: every output format (table -v, --json -v, --ndjson -v, nagios, -q)
// and stderr are searched for the password and every form of it that went over the wire. The
// password comes from MXPROBE_AUTH_PASSWORD or --auth-password-file, never argv. Against the
// scripted SASL server, which records what the client sent.
// Until the option table has the submission flags, each test skips with the reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { startRawServer, type RawServer } from '../../fixtures/raw-server.js';
import { saslServerScript, type SaslServerLog } from '../../fixtures/sasl-server.js';
import { BUILD_TIMEOUT_MS, builtCli, runCli, SHORT, type Cli } from '../cli/helpers.js';
import { secretForms } from './helpers.js';

const USER = 'alice';
const PASSWORD = 'cli-pässword-0123456789';
const WIRING = 'the built CLI has no --auth-user yet: the submission options are not in the option table (see src/submission-options.ts)';

describe('the built CLI never prints credentials', () => {
  let pki: Pki;
  let cli: Cli;
  let server: RawServer;
  let dir: string;
  let wired = false;
  const log: SaslServerLog = { sessions: [] };

  beforeAll(async () => {
    pki = await createPki();
    cli = await builtCli();
    wired = (await runCli(cli.bin, ['--help'])).stdout.includes('--auth-user');
    if (!wired) console.warn(`SKIPPED the CLI credential checks: ${WIRING}`);
    server = await startRawServer(saslServerScript({ tls: { key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem }, users: { [USER]: PASSWORD } }, log));
    dir = mkdtempSync(join(tmpdir(), 'mxprobe-cli-auth-'));
    writeFileSync(join(dir, 'password'), `${PASSWORD}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'root.pem'), pki.root.pem);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await server?.close();
    cli?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
    // createPki()'s exit hook never runs in a vitest worker: the keys go with this file.
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const base = () => [`[127.0.0.1]:${server.port}`, ...SHORT, '--ca-file', join(dir, 'root.pem'), '--servername', 'mx.test.example', '--ehlo', 'client.test.example', '--auth-user', USER, '--to', 'bob@elsewhere.example'];
  /** What the client sent in its AUTH exchanges, as the server received it (the base64 after "AUTH MECH", and the answers to 334). */
  const sentSecrets = () => {
    const out: string[] = [];
    let inAuth = false;
    for (const l of server.received) {
      if (/^AUTH /i.test(l)) inAuth = true;
      else if (/^(MAIL|RCPT|RSET|QUIT|DATA|EHLO)\b/i.test(l)) inAuth = false;
      const secret = l.replace(/^AUTH \S+ ?/i, '');
      if (inAuth && secret.length >= 8) out.push(secret);
    }
    return out;
  };

  it.for([
    ['table -v', ['-v']],
    ['--json -v', ['--json', '-v']],
    ['--ndjson -v', ['--ndjson', '-v']],
    ['--format nagios', ['--format', 'nagios']],
    ['-q', ['-q']],
  ] as const)('%s, every mechanism, password from the environment and from a file', async ([, format], context) => {
    if (!wired) return context.skip(WIRING);
    const runs = [];
    for (const mechanism of ['PLAIN', 'LOGIN', 'CRAM-MD5', 'SCRAM-SHA-256']) {
      runs.push(await runCli(cli.bin, [...base(), '--auth', mechanism, ...format], { env: { MXPROBE_AUTH_PASSWORD: PASSWORD } }));
    }
    runs.push(await runCli(cli.bin, [...base(), '--auth', 'PLAIN', '--auth-password-file', join(dir, 'password'), ...format], { env: { MXPROBE_AUTH_PASSWORD: undefined } }));
    runs.push(await runCli(cli.bin, [...base(), '--auth', 'PLAIN', ...format], { env: { MXPROBE_AUTH_PASSWORD: 'wrong-password-0123' } }));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 2]);
    const output = runs.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');
    const forms = [...secretForms(USER, PASSWORD), ...secretForms(USER, 'wrong-password-0123'), ...sentSecrets()];
    expect(sentSecrets().length).toBeGreaterThan(5);
    for (const form of forms) expect(output.includes(form), `output contains ${form}`).toBe(false);
  });

  it('a password on the command line is refused: there is no flag for it', async (context) => {
    if (!wired) return context.skip(WIRING);
    const r = await runCli(cli.bin, [...base(), '--auth', 'PLAIN', '--auth-password', PASSWORD]);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain(PASSWORD);
  });

  it('--auth without a password is a one-line usage error', async (context) => {
    if (!wired) return context.skip(WIRING);
    const r = await runCli(cli.bin, [...base(), '--auth'], { env: { MXPROBE_AUTH_PASSWORD: undefined } });
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('mxprobe: --auth needs a password: set MXPROBE_AUTH_PASSWORD or give --auth-password-file FILE (never on the command line)');
  });
});
