// `policy` runs through the one run engine: the same retries as a list run (a 421 once, then
// service), the same interrupt records, and no listener pile-up on one signal however many
// entries the table has.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { smtpDialog } from '../../fixtures/faulty-servers.js';
import { startRawServer, type RawServer } from '../../fixtures/raw-server.js';
import { tempDir } from '../../fixtures/temp.js';
import { checkPolicy } from '../../src/policy/check.js';
import { parsePolicyTable } from '../../src/policy/table.js';
import { parseDestination } from '../../src/destination.js';
import { runProbes } from '../../src/run.js';
import type { ProbeResult } from '../../src/types.js';
import { builtCli, runCli, SHORT, type Cli, BUILD_TIMEOUT_MS } from '../cli/helpers.js';
import { EHLO_NAME } from '../probe/helpers.js';

let pki: Pki;
let cli: Cli;
const servers: RawServer[] = [];
beforeAll(async () => {
  [pki, cli] = await Promise.all([createPki(), builtCli()]);
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  cli?.cleanup();
  await Promise.all(servers.map((s) => s.close()));
});

/** A server that answers its first connection with `first` and serves TLS after. */
async function onceThenServe(first: string): Promise<RawServer> {
  let n = 0;
  const s = await startRawServer(async (io) => {
    if (n++ === 0) {
      await io.writeline(first);
      return;
    }
    await smtpDialog(io, { tls: { key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem } });
  });
  servers.push(s);
  return s;
}

const base = () => ({ ca: pki.root.pem, ehlo: EHLO_NAME, connectTimeoutMs: 3000, timeoutMs: 3000, bannerTimeoutMs: 3000, tlsTimeoutMs: 3000 });
const run = { concurrency: 4, perHost: 2, retries: 1, retryDelayMs: 10 };

describe('policy retries as a list run does', () => {
  it.each(['421 4.3.2 Too many connections, try again later', '421 4.7.0 Service not available, closing transmission channel'])('%s once, then service: deliver, attempt 2, like the probe', async (first) => {
    const policyServer = await onceThenServe(first);
    const probeServer = await onceThenServe(first);
    const entry = `[127.0.0.1]:${policyServer.port} verify match=${TEST_HOST}`;
    const { verdicts } = await checkPolicy(parsePolicyTable(`${entry}\n`), base(), run);
    const probed: ProbeResult[] = [];
    await runProbes([parseDestination(`[127.0.0.1]:${probeServer.port}`)], { ...base(), level: 'verify', match: [TEST_HOST] }, { ...run, onResult: (r) => probed.push(r) });
    expect(verdicts[0]).toMatchObject({ state: 'deliver', status: 'ok' });
    expect(verdicts[0].results[0].attempts).toBe(2);
    expect(probed[0]).toMatchObject({ status: 'ok', attempts: 2 });
    expect(policyServer.connections).toBe(2);
    expect(verdicts[0].results[0].findings.map((f) => f.code)).toContain('retried');
  });
});

describe('a table of many entries', () => {
  it('200 entries: no MaxListenersExceededWarning, every entry judged', async () => {
    const dir = tempDir('mxprobe-policy-many-');
    const s = await onceThenServe('220 ok');
    const lines = Array.from({ length: 200 }, (_, i) => `[127.0.1.${i + 2}]:${s.port} may`);
    const file = join(dir, 'tls_policy');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await runCli(cli.bin, ['policy', ...SHORT, '--retries', '0', '-c', '50', '--format', 'nagios', file]);
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|Warning:/);
    // Nothing listens on 127.0.1.2-201 at that port: every entry is judged (defer), none skipped.
    expect(r.stdout).toMatch(/200 entries, 0 would deliver, 200 would defer, 0 not probed/);
    expect(r.code).toBe(2);
  }, 60_000);
});
