// Progress for many targets, on stderr when it is a terminal (DESIGN.md "Output"):
//   312/1000 done, 4 failed, 41.7/s, ETA 16 s
// One line, rewritten in place with "\r" and erase-to-end-of-line (ESC [K), at most every
// 200 ms — a few lines, so no library. Never used when stderr is a pipe or a file.

export interface ProgressStream {
  write(text: string): unknown;
}

export interface Progress {
  /** A destination is done; `failed` results among its results. */
  tick(failed: number): void;
  /** Erase the line (before other output to the same terminal); it comes back on the next tick. */
  clear(): void;
  /** Erase the line for good. */
  end(): void;
  /** The total, once a streamed list has been read to its end. */
  setTotal(total: number): void;
}

const NONE: Progress = { tick() {}, clear() {}, end() {}, setTotal() {} };

/** `total` null: a list still being read (no ETA until setTotal). */
export function createProgress(o: { stream: ProgressStream; total: number | null; enabled: boolean; intervalMs?: number; now?: () => number }): Progress {
  if (!o.enabled || (o.total !== null && o.total < 2)) return NONE;
  let total = o.total;
  const now = o.now ?? Date.now;
  const interval = o.intervalMs ?? 200;
  const started = now();
  let done = 0;
  let failed = 0;
  let drawnAt = -Infinity;
  let shown = false;
  const draw = () => {
    o.stream.write(`\r${progressLine(done, total, failed, now() - started)}\x1b[K`);
    drawnAt = now();
    shown = true;
  };
  const clear = () => {
    if (shown) o.stream.write('\r\x1b[K');
    shown = false;
  };
  return {
    tick(f) {
      done++;
      failed += f;
      if (now() - drawnAt >= interval || done === total) draw();
    },
    clear,
    end: clear,
    setTotal(n) {
      total = n;
    },
  };
}

/** "312/1000 done, 4 failed, 41.7/s, ETA 16 s"; "312 done, …" while the total is not known. */
export function progressLine(done: number, total: number | null, failed: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = total !== null && rate > 0 && done < total ? `, ETA ${duration((total - done) / rate)}` : '';
  return `${done}${total === null ? '' : `/${total}`} done, ${failed} failed, ${rate.toFixed(1)}/s${eta}`;
}

function duration(s: number): string {
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
