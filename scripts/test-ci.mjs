// The test command of the README (`npm run test:ci`): build, run every vitest
// suite with the JSON reporter, and end with "N passed, N failed" taken from
// that report, so a run that executed no test is visible as "0 passed".
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = '.vitest-results.json';
rmSync(report, { force: true });
rmSync('.vitest-leftovers.json', { force: true });
const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { stdio: 'inherit' });
let passed = 0;
let failed = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  failed = json.numFailedTests + (json.numRuntimeErrorTestSuites ?? 0);
  if (json.numTotalTestSuites > 0 && json.numFailedTestSuites > 0 && failed === 0) failed = json.numFailedTestSuites;
} catch {
  failed = Math.max(1, failed);
}
// test/global-setup.ts lists what the run left in the temp dir: each leak is one failure.
let leftovers = [];
try {
  leftovers = JSON.parse(readFileSync('.vitest-leftovers.json', 'utf8'));
} catch {
  // nothing left behind
}
if (leftovers.length > 0) {
  console.log(`temp entries left behind by the tests: ${leftovers.join(', ')}`);
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
