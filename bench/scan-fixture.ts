// Started by bench/scan.mjs (bundled on the fly with esbuild): one scan fixture per argument,
// prints "name port" lines, then stays up until stdin closes.
import { createPki } from '../fixtures/pki.js';
import { startScanFixture } from '../fixtures/scan/tls-smtp-server.js';
import { scanFixtureOptions, type ScanFixtureName } from '../fixtures/scan/configs.js';
import { startSmtpFixture } from '../fixtures/smtp-fixture.js';

const pki = await createPki();
for (const name of process.argv.slice(2)) {
  // "smtp-server": the nodemailer-based fixture of the probe tests (100 ms pause before each greeting).
  const f = name === 'smtp-server' ? await startSmtpFixture({ leaf: pki.leaves.good }) : await startScanFixture(scanFixtureOptions(name as ScanFixtureName, pki));
  process.stdout.write(`${name} ${f.port}\n`);
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
