// Waits that a stopped run cuts short, for thousands of waiters at once. timers/promises'
// setTimeout(ms, value, { signal }) adds one listener per wait to the signal, and adding a
// listener to an EventTarget costs as many steps as it already has (Node checks for duplicates):
// with thousands of connections backing off or paced at once that is quadratic. Here the
// signal has one listener, and the pending waits are a set.
export class Sleeper {
  private readonly pending = new Set<{ timer: NodeJS.Timeout; resolve: (done: boolean) => void }>();
  private aborted = false;

  constructor(signals: readonly AbortSignal[]) {
    const abort = () => {
      this.aborted = true;
      for (const p of this.pending) {
        clearTimeout(p.timer);
        p.resolve(false);
      }
      this.pending.clear();
    };
    for (const s of signals) {
      if (s.aborted) abort();
      else s.addEventListener('abort', abort, { once: true });
    }
  }

  /** true after `ms`; false at once when (or as soon as) the run is stopped. */
  sleep(ms: number): Promise<boolean> {
    if (this.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.pending.delete(entry);
          resolve(true);
        }, ms),
        resolve,
      };
      this.pending.add(entry);
    });
  }

  get stopped(): boolean {
    return this.aborted;
  }
}
