// What dedupe costs per million destinations: the run's KeySet (64-bit hashes in typed arrays)
// against a Set of the key strings, as the list's keys are added one by one. Heap and
// array-buffer bytes after a full GC, and the time to add them.
// Run after `npm run build`:  node --expose-gc bench/many-dedupe.mjs [keys=1000000]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './many-common.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const { KeySet } = await import(pathToFileURL(join(ROOT, 'dist/run/key-set.js')).href);
if (!globalThis.gc) throw new Error('run with node --expose-gc');
// The keys a list of bracketed loopback targets gives (destinationKey: mode, port, input).
const keyOf = (i) => `starttls ${1000 + (i % 61)} [127.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}]:${1000 + (i % 61)}`;
const memory = () => {
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

for (const [name, make] of [['KeySet', () => new KeySet()], ['Set<string>', () => new Set()]]) {
  const before = memory();
  const t0 = performance.now();
  let set = make();
  for (let i = 0; i < N; i++) set.add(keyOf(i));
  const ms = performance.now() - t0;
  // The KeySet's table is its whole footprint (the arrays it outgrew are external memory V8
  // frees lazily); a Set's is what the heap grew by.
  const bytes = set.bytes ?? memory() - before;
  console.log(`${name}: ${N} keys, ${(bytes / 1e6).toFixed(1)} MB (${(bytes / N).toFixed(1)} bytes per key${set.bytes ? `; ${(1.5 * bytes / 1e6).toFixed(1)} MB while doubling` : ''}), ${(ms / 1000).toFixed(2)} s to add (${((ms * 1000) / N).toFixed(2)} µs per key, key strings made included)`);
  set = null;
}
