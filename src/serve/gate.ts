// Connection slots shared by every scrape of the exporter: at most `concurrency` connections
// at once overall and `perHost` to one address (DESIGN.md "Many targets": a busy Prometheus
// with many jobs naming one MX must not hammer it). A scrape whose timeout passes while it
// waits gives up its place in the queue instead of taking a slot it can no longer use.

export interface Gate {
  /** Resolves with the release once a slot is free; with a no-op release if `signal` aborts first. */
  acquire(address: string, signal?: AbortSignal): Promise<() => void>;
  /** Connections holding a slot now, and waiting for one. */
  readonly active: number;
  readonly waiting: number;
}

interface Waiter {
  address: string;
  grant: () => void;
}

export function createGate(concurrency: number, perHost: number): Gate {
  const perAddress = new Map<string, number>();
  let active = 0;
  const queue: Waiter[] = [];

  const fits = (address: string) => active < concurrency && (perAddress.get(address) ?? 0) < perHost;
  const take = (address: string) => {
    active++;
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
  };
  const give = (address: string) => {
    active--;
    const n = (perAddress.get(address) ?? 1) - 1;
    if (n === 0) perAddress.delete(address);
    else perAddress.set(address, n);
    // First come, first served among those that fit now: a waiter for a busy address does
    // not hold up one for an idle address.
    for (let i = 0; i < queue.length && active < concurrency; ) {
      if (fits(queue[i].address)) {
        const [w] = queue.splice(i, 1);
        take(w.address);
        w.grant();
      } else i++;
    }
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    acquire(address, signal) {
      return new Promise((resolve) => {
        const releaser = () => {
          let released = false;
          return () => {
            if (!released) give(address);
            released = true;
          };
        };
        if (signal?.aborted) return resolve(() => {});
        if (fits(address)) {
          take(address);
          return resolve(releaser());
        }
        const waiter: Waiter = {
          address,
          grant: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve(releaser());
          },
        };
        const onAbort = () => {
          const i = queue.indexOf(waiter);
          if (i >= 0) queue.splice(i, 1);
          resolve(() => {});
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(waiter);
      });
    },
  };
}
