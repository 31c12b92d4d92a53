// Started by bench/single-common.mjs (bundled on the fly with esbuild): the fast loopback SMTP
// fixtures of the single-probe benchmarks, built on fixtures/raw-server.ts + smtpDialog (no
// greeting pause, unlike fixtures/smtp-fixture.ts), with the test PKI's trusted RSA chain.
//   starttls: STARTTLS, TLS 1.3 only, EHLO advertises PIPELINING, MAIL/RCPT 250
//   implicit: the same dialog inside implicit TLS (port-465 style)
// Prints one JSON line {ports, caFile, servername}, then stays up until stdin closes or SIGTERM.
import tls from 'node:tls';
import { createPki, TEST_HOST } from '../fixtures/pki.js';
import { startRawServer } from '../fixtures/raw-server.js';
import { smtpDialog } from '../fixtures/faulty-servers.js';

const pki = await createPki();
const leaf = pki.leaves.good;
// One secure context for every connection (what a real server does; a context per accept costs ms).
const secureContext = tls.createSecureContext({ key: leaf.keyPem, cert: leaf.chainPem, minVersion: 'TLSv1.3' });
const tlsOptions = { secureContext };
const starttls = await startRawServer((io) => smtpDialog(io, { tls: tlsOptions }));
const implicit = await startRawServer(async (io) => {
  await io.starttls(tlsOptions);
  await smtpDialog(io, { starttls: 'none' });
});
process.stdout.write(`${JSON.stringify({ ports: { starttls: starttls.port, implicit: implicit.port }, caFile: pki.root.path, servername: TEST_HOST })}\n`);
const stop = async () => {
  await Promise.all([starttls.close(), implicit.close()]);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.resume();
process.stdin.on('end', stop);
