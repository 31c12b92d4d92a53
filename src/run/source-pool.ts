// --source-address: the local addresses outgoing connections are bound to, used in turn (as
// zgrab2's --local-addr), so a survey spreads over several source addresses and a server's
// per-client limits see each of them at a fraction of the run's pace. An address of the
// target's family is picked; a pool of one family restricts the run to that family.
import net from 'node:net';
import { UsageError } from '../errors.js';
import { isIP } from '../ip.js';

export interface SourcePool {
  /** The next source address of `target`'s family, round robin. */
  pick(target: string): string | undefined;
  /** The one family the pool has, or undefined when it has both. */
  readonly family: 4 | 6 | undefined;
}

export function sourcePool(addresses: readonly string[]): SourcePool {
  const byFamily: Record<4 | 6, string[]> = { 4: [], 6: [] };
  for (const a of addresses) {
    const family = isIP(a);
    if (family !== 4 && family !== 6) throw new UsageError(`--source-address: '${a}' is not an IP address`);
    if (!byFamily[family].includes(a)) byFamily[family].push(a);
  }
  const next: Record<4 | 6, number> = { 4: 0, 6: 0 };
  const family = byFamily[4].length && !byFamily[6].length ? 4 : byFamily[6].length && !byFamily[4].length ? 6 : undefined;
  return {
    family,
    pick(target) {
      const f = isIP(target) === 6 ? 6 : 4;
      const list = byFamily[f];
      if (list.length === 0) return undefined;
      const a = list[next[f] % list.length];
      next[f] = (next[f] + 1) % list.length;
      return a;
    },
  };
}

/** Each address is one this host can send from (bound once, port 0), or a UsageError naming it. */
export async function checkSourceAddresses(addresses: readonly string[]): Promise<void> {
  for (const address of new Set(addresses)) {
    await new Promise<void>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(new UsageError(`--source-address ${address}: cannot send from it (${err.code === 'EADDRNOTAVAIL' ? 'not an address of this host' : err.code ?? err.message})`));
      });
      server.listen({ host: address, port: 0, exclusive: true }, () => server.close(() => resolve()));
    });
  }
}
