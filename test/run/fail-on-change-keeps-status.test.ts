// --baseline with --fail-on-change in the usual cron loop: each run's --json output becomes the
// next run's baseline. A change sets the exit code (2) and `changed`; `status` stays the server's
// own verdict, so the next run, with nothing changed, reports no change and exits 0.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tempDir } from '../../fixtures/temp.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPki, TEST_HOST, type Pki } from '../../fixtures/pki.js';
import { builtCli, runCli, type Cli } from '../cli/helpers.js';
import { useRunFixtures } from '../run/helpers.js';

const fx = useRunFixtures();
let cli: Cli;
let pki: Pki;
let tmp: string;

beforeAll(async () => {
  [cli, pki] = await Promise.all([builtCli(), createPki()]);
  tmp = tempDir('mxprobe-baseline-');
}, 120_000);
afterAll(() => {
  cli?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const SHORT = ['--timeout', '5s', '--banner-timeout', '5s', '--connect-timeout', '3s', '--tls-timeout', '3s', '--no-progress'];
const trust = () => ['--ca-file', pki.root.path, '--servername', TEST_HOST];

it('a run with nothing changed since the previous (--fail-on-change) run reports no change', async () => {
  let s = await fx.smtp({ leaf: pki.leaves.good, host: '127.0.0.10' });
  const dest = `[127.0.0.10]:${s.port}`;
  const run0 = await runCli(cli.bin, [...SHORT, ...trust(), '--json', dest]);
  expect(run0.code).toBe(0);
  const prev0 = join(tmp, 'run0.json');
  writeFileSync(prev0, run0.stdout);

  // The certificate is replaced once: run 1 rightly fails.
  await s.close();
  s = await fx.smtp({ leaf: pki.leaves.direct, host: '127.0.0.10', port: s.port });
  const run1 = await runCli(cli.bin, [...SHORT, ...trust(), '--json', '--baseline', prev0, '--fail-on-change', dest]);
  expect(run1.code).toBe(2);
  const [changed] = JSON.parse(run1.stdout) as Array<{ status: string; changed: boolean; changes: Array<{ kind: string }> }>;
  expect(changed).toMatchObject({ status: 'ok', changed: true });
  expect(changed.changes.map((c) => c.kind)).toContain('leaf');
  const prev1 = join(tmp, 'run1.json');
  writeFileSync(prev1, run1.stdout);

  // Run 2: same server, same certificate as run 1. Nothing changed.
  const run2 = await runCli(cli.bin, [...SHORT, ...trust(), '--json', '--baseline', prev1, '--fail-on-change', dest]);
  const [r] = JSON.parse(run2.stdout) as Array<{ status: string; changes: Array<{ kind: string; before: unknown; after: unknown }> }>;
  expect(r.changes).toEqual([]);
  expect(run2.stderr).toMatch(/no changes since/);
  expect(run2.code).toBe(0);
}, 60_000);
