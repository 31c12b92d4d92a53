// A child process holding many STARTTLS fixture listeners (many-common.mjs's ECDSA server), so
// a benchmark can have more distinct targets than one process has file descriptors (20,000
// here). Listens on `count` loopback addresses from 127.<first>.1 on, `ports` each; prints one
// line per target ([address]:port), then "ready"; exits when its stdin closes. The server's CPU
// is then its own process's, apart from the client's.
//   node bench/many-tls-server.mjs CERT_DIR FIRST_OCTET COUNT PORTS
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { listenMany, smtpHandler } from './many-common.mjs';

const [dir, first, count, ports] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const smtp = smtpHandler(tls.createSecureContext({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }));
const addresses = Array.from({ length: count }, (_, i) => `127.${first + Math.floor(i / 62_500)}.${1 + (Math.floor(i / 250) % 250)}.${1 + (i % 250)}`);
let out = '';
for (const s of await listenMany(smtp.handle, addresses, ports)) out += `[${s.address}]:${s.port}\n`;
process.stdout.write(`${out}ready\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
