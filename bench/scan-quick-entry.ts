// bench/scan.mjs bundles this like the CLI (one CommonJS file) to time a whole-process
// `scan --quick` until the CLI has the flag: scan(DEST, { quick: true }), the JSON on stdout.
import { scan } from '../src/scan/index.js';

void scan(process.argv[2], { quick: true, servername: 'mx.test.example', ehlo: 'bench.test.example' }).then((r) => process.stdout.write(JSON.stringify(r)));
