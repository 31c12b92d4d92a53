// Bundled and run by bench/submission.mjs (needs root: it starts the private Postfix and Dovecot).
// Round trips of one submission walk through the latency relay, in process (no CLI start-up), next
// to the TLS-only probe of the same server: STARTTLS, EHLO, QUIT versus STARTTLS, EHLO, AUTH,
// MAIL + RCPT + RSET + QUIT pipelined. Prints one JSON line.
import net from 'node:net';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { createPki } from '../fixtures/pki.js';
import { startPostfix } from '../fixtures/postfix/instance.js';
import { startDovecotAuth } from '../fixtures/dovecot/auth.js';
import { parseDestination } from '../src/destination.js';
import { resolveOptions } from '../src/options.js';
import { probeConnection, type ConnectionTarget } from '../src/probe-target.js';
import { resolveSubmissionOptions } from '../src/submission-options.js';
import type { ProbeOptions, ProbeResult } from '../src/types.js';
// @ts-expect-error plain ESM helper of the benchmarks
import { relayHandler } from './many-common.mjs';

const RTT = Number(process.env.RTT ?? 200);
const RUNS = Number(process.env.RUNS ?? 5);
const USER = 'bench@test.example';
const PASSWORD = 'bench-password-123';
const SASL = { smtpd_sasl_auth_enable: 'yes', smtpd_sasl_type: 'dovecot', smtpd_sasl_path: 'private/dovecot-auth', smtpd_tls_auth_only: 'yes', smtpd_relay_restrictions: 'permit_sasl_authenticated,reject_unauth_destination' };

const pki = await createPki();
const pf = await startPostfix({ pki, scenarios: ['good'], extraServices: { submission: { summary: 'bench submission', leaf: 'good', overrides: SASL } } });
const dovecot = await startDovecotAuth({ dir: join(pf.dir, 'dovecot'), socketPath: join(pf.queueDir, 'private', 'dovecot-auth'), socketUser: 'postfix', users: { [USER]: PASSWORD } });
const relay = net.createServer(relayHandler({ address: '127.0.0.1', port: pf.extraServices.submission.port }, RTT, { connectDelayMs: 1.5 * RTT }));
await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
const port = (relay.address() as net.AddressInfo).port;

async function once(extra: ProbeOptions): Promise<{ wall: number; r: ProbeResult }> {
  const options: ProbeOptions = { servername: 'mx.test.example', ca: pki.root.pem, ehlo: 'bench.example', timeoutMs: 20 * RTT + 5000, ...extra };
  if (options.auth) options.authPassword = PASSWORD;
  const o = { ...resolveOptions(options), ...resolveSubmissionOptions(options, {}) };
  const dest = parseDestination(`submission://127.0.0.1:${port}`);
  const target: ConnectionTarget = { destination: `submission://127.0.0.1:${port}`, nexthop: '127.0.0.1', mx: null, host: '127.0.0.1', address: '127.0.0.1', port, mode: dest.mode, resolveMs: null };
  const t = performance.now();
  const r = await probeConnection(target, o);
  const wall = performance.now() - t;
  if (r.error) throw new Error(`${JSON.stringify(extra)}: ${r.error.code} ${r.error.message}`);
  return { wall, r };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const walk = { auth: 'PLAIN' as const, authUser: USER, from: USER, to: ['bob@elsewhere.example'] };
const cases: Record<string, ProbeOptions> = {
  'TLS-only (STARTTLS, EHLO, QUIT)': {},
  '--to a local recipient, no AUTH (MAIL RCPT RSET QUIT pipelined)': { from: USER, to: ['postmaster@localdomain'] },
  'submission walk, AUTH PLAIN, pipelined': walk,
  'submission walk, AUTH PLAIN, --no-pipelining': { ...walk, pipelining: false },
  'submission walk, AUTH LOGIN': { ...walk, auth: 'LOGIN' },
  'submission walk, AUTH SCRAM-SHA-256': { ...walk, auth: 'SCRAM-SHA-256' },
};
const rows = [];
try {
  for (const [name, extra] of Object.entries(cases)) {
    const walls: number[] = [];
    let last: ProbeResult | null = null;
    await once(extra); // warm: Postfix spawns smtpd, Dovecot its auth worker
    for (let i = 0; i < RUNS; i++) {
      const { wall, r } = await once(extra);
      walls.push(wall);
      last = r;
    }
    rows.push({ name, wallMs: median(walls), rtt: median(walls) / RTT, commands: last!.smtp.replies.map((x) => x.command.split(/[ :]/)[0]).join(' ') });
  }
} finally {
  relay.close();
  await dovecot.stop();
  await pf.stop();
  rmSync(pki.dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ rtt: RTT, runs: RUNS, postfix: pf.version, rows }));
