// sslscan as the reference: on the same fixture, the accepted protocols and ciphers per protocol
// must be the same sets. sslscan must be installed in CI (.ci/run's apt list); elsewhere the test
// says loudly that it is skipped.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/scan/index.js';
import { SCAN_SHORT, useScanFixtures } from './helpers.js';
import type { ScanFixtureName } from '../../fixtures/scan/configs.js';

const run = promisify(execFile);
const hasSslscan = await run('sslscan', ['--version']).then(() => true, () => false);
if (!hasSslscan) {
  if (process.env.CI) throw new Error('sslscan is required in CI (apt-get install sslscan)');
  console.warn('test/scan/sslscan.test.ts: sslscan not installed, comparison skipped');
}

const VERSION: Record<string, string> = { '2': 'SSLv2', '3': 'SSLv3', '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };

/** sslscan --xml: enabled protocols and accepted cipher names per protocol. */
export function parseSslscanXml(xml: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of xml.matchAll(/<protocol type="\w+" version="([\d.]+)" enabled="1"/g)) out[VERSION[m[1]]] = [];
  for (const m of xml.matchAll(/<cipher status="\w+" sslversion="([^"]+)"[^>]* cipher="([^"]+)"/g)) (out[m[1].replace('TLSv1.0', 'TLSv1')] ??= []).push(m[2]);
  return out;
}

const fx = useScanFixtures();

describe.skipIf(!hasSslscan)('same sets as sslscan', () => {
  it.each<ScanFixtureName>(['weak', 'dual', 'tls13Only'])('fixture %s', async (name) => {
    const f = await fx.start(name);
    const [{ stdout }, ours] = await Promise.all([
      run('sslscan', ['--starttls-smtp', '--no-colour', '--xml=-', `127.0.0.1:${f.port}`], { timeout: 60_000 }),
      scan(`[127.0.0.1]:${f.port}`, SCAN_SHORT),
    ]);
    const theirs = parseSslscanXml(stdout);
    const mine = Object.fromEntries(ours.protocols.filter((p) => p.accepted).map((p) => [p.protocol, p.ciphers.map((c) => c.name)]));
    expect(Object.keys(mine).sort()).toEqual(Object.keys(theirs).sort());
    for (const p of Object.keys(theirs)) expect(new Set(mine[p]), p).toEqual(new Set(theirs[p]));
  });
});
