// Parity against a real Postfix: for every level and every scenario service of the private
// instance, `mxprobe policy` with a one-entry table and `mxprobe --level` on the same destination
// agree (test/policy/parity.ts). The library calls are what both commands run; one CLI pair at
// the end shows the commands themselves agree on the exit code.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { MX_NAME, startPostfix, type PostfixInstance } from '../../fixtures/postfix/instance.js';
import { SCENARIO_NAMES } from '../../fixtures/postfix/scenarios.js';
import { LEVELS } from '../../src/levels.js';
import type { Level, ProbeOptions } from '../../src/types.js';
import { builtCli, runCli, SHORT, type Cli } from '../cli/helpers.js';
import { EHLO_NAME } from '../probe/helpers.js';
import { expectParity } from '../policy/parity.js';
import { describePostfix } from './guard.js';

const TIMEOUTS = { connectTimeoutMs: 3000, timeoutMs: 5000, bannerTimeoutMs: 5000, tlsTimeoutMs: 5000, deadlineMs: 20_000 } as const;

describePostfix('real Postfix: a one-entry tls_policy table and the probe give the same verdict', () => {
  let pki: Pki;
  let pf: PostfixInstance;
  let cli: Cli;

  beforeAll(async () => {
    pki = await createPki();
    [pf, cli] = await Promise.all([startPostfix({ pki }), builtCli()]);
  });
  afterAll(async () => {
    await pf?.stop();
    cli?.cleanup();
  });

  const matchFor = (level: Level): string[] | undefined =>
    level === 'fingerprint' ? [pki.leaves.good.sha256] : level === 'verify' || level === 'secure' ? [MX_NAME] : undefined;

  // A few cells pinned, so the parity cannot hold by both sides being wrong the same way.
  const PINNED: Partial<Record<Level, Record<string, boolean>>> = {
    may: { noStarttls: true, selfSigned: true },
    encrypt: { noStarttls: false, selfSigned: true },
    verify: { good: true, selfSigned: false, wrongName: false, noIntermediate: false },
    // [127.0.0.1] has no TLSA base domain: dane falls back to may, dane-only defers.
    dane: { good: true, noStarttls: true },
    'dane-only': { good: false },
  };

  it.each(LEVELS)('level %s × every scenario', async (level) => {
    const outcomes: Record<string, boolean> = {};
    // One scenario after another per level: Postfix's process limit stays far away.
    for (const name of SCENARIO_NAMES) {
      const service = pf.services[name];
      const base: ProbeOptions = { ca: pki.root.pem, ehlo: EHLO_NAME, ...TIMEOUTS, ...(service.implicit && { implicit: true }) };
      const v = await expectParity({ destination: `[127.0.0.1]:${service.port}`, level, match: matchFor(level) }, base);
      outcomes[name] = v.deliver;
    }
    expect(outcomes).toMatchObject(PINNED[level] ?? {});
  }, 120_000);

  it('the commands agree too: mxprobe --level verify and mxprobe policy exit alike', async () => {
    for (const name of ['good', 'selfSigned', 'noStarttls'] as const) {
      const port = pf.services[name].port;
      const table = join(pf.dir, `policy-${name}`);
      writeFileSync(table, `[127.0.0.1]:${port} verify match=${MX_NAME}\n`);
      const trust = ['--ca-file', pki.root.path, ...SHORT];
      const [probe, policy] = await Promise.all([
        runCli(cli.bin, [...trust, '--level', 'verify', '--match', MX_NAME, '-q', `[127.0.0.1]:${port}`]),
        runCli(cli.bin, ['policy', ...trust, '-q', table]),
      ]);
      expect(policy.code, `${probe.stdout}${probe.stderr}\n${policy.stdout}${policy.stderr}`).toBe(probe.code);
      expect(probe.code).toBe(name === 'good' ? 0 : 2);
    }
  }, 60_000);
});
