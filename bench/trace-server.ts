// Started by bench/handshake-trace.mjs (bundled on the fly with esbuild): implicit-TLS servers
// on 127.0.0.1 with the test PKI's RSA chain, one TLS 1.3 and one TLS 1.2 (ECDHE-RSA), each
// sending one line and closing. Prints {"tls13":PORT,"tls12":PORT}, stays up until stdin closes.
import { rmSync } from 'node:fs';
import tls from 'node:tls';
import { createPki } from '../fixtures/pki.js';

const pki = await createPki();
const leaf = pki.leaves.good;
const ports: Record<string, number> = {};
const servers: tls.Server[] = [];
for (const [name, version] of [['tls13', 'TLSv1.3'], ['tls12', 'TLSv1.2']] as const) {
  const server = tls.createServer({ key: leaf.keyPem, cert: leaf.chainPem, minVersion: version, maxVersion: version }, (s) => {
    s.on('error', () => {});
    s.end('220 bench\r\n');
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  ports[name] = (server.address() as { port: number }).port;
  servers.push(server);
}
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  for (const s of servers) s.close();
  rmSync(pki.dir, { recursive: true, force: true });
  process.exit(0);
});
