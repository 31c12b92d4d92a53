// Tests leave nothing behind: after the whole run, no new `mxprobe-*` entry may remain in the
// temp dir. What is left is listed in .vitest-leftovers.json, which scripts/test-ci.mjs counts as
// a failed test, so a leak fails CI instead of filling /tmp with private keys.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPORT = join(process.cwd(), '.vitest-leftovers.json');
const ours = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('mxprobe-')));

export default function setup(): () => void {
  const before = ours();
  rmSync(REPORT, { force: true });
  return () => {
    const left = [...ours()].filter((n) => !before.has(n));
    if (left.length === 0) return;
    writeFileSync(REPORT, `${JSON.stringify(left.map((n) => join(tmpdir(), n)), null, 2)}\n`);
    console.error(`\n*** ${left.length} temp entr${left.length === 1 ? 'y' : 'ies'} left behind: ${left.slice(0, 10).join(', ')}${left.length > 10 ? ', …' : ''}`);
  };
}
