// What every command shares with the process: the exit code convention and the two-stage
// interrupt. Exit codes follow the Nagios plugin convention (DESIGN.md "Exit codes"):
// 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage error, internal error, interrupted run).
import type { Status } from '../types.js';

const EXIT: Record<Status, 0 | 1 | 2 | 3> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

/** 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
export function exitCodeFor(status: Status): 0 | 1 | 2 | 3 {
  return EXIT[status];
}

/** An interrupted run exits 3: part of the work was never checked, so there is no verdict on it. */
export const EXIT_INTERRUPTED = 3;

export interface Interrupts {
  /** Aborted by the first SIGINT/SIGTERM: start nothing new. */
  readonly stop: AbortSignal;
  /** Aborted by the second: end the running probes now (each still ends as a whole result). */
  readonly abort: AbortSignal;
  readonly interrupted: boolean;
  /** Take the handlers off again. */
  dispose(): void;
}

export interface InterruptOptions {
  stderr: { write(text: string): unknown };
  /** How many probes (or connections) are running, for the first message. */
  running: () => number;
  /** What is running, in the message ("probes", "scan connections"). */
  noun?: string;
  /** Before a message is written (erase the progress line). */
  beforeMessage?: () => void;
  /** The third signal: flush what is written and exit. */
  exitNow: () => void;
}

/**
 * Ctrl-C / SIGTERM in two stages, the same in every command: the first stops new work and lets
 * running probes end within their deadlines; the second aborts them; a third exits as soon as
 * what was written has drained.
 */
export function handleInterrupts(o: InterruptOptions): Interrupts {
  const stop = new AbortController();
  const abort = new AbortController();
  let count = 0;
  const onSignal = () => {
    count++;
    o.beforeMessage?.();
    if (count === 1) {
      stop.abort();
      const n = o.running();
      const noun = o.noun ?? 'probes';
      o.stderr.write(n > 0
        ? `mxprobe: stopping: starting nothing new; waiting for ${n} running ${n === 1 ? noun.replace(/s$/, '') : noun} to finish (Ctrl-C again to stop them now)\n`
        : 'mxprobe: stopping: starting nothing new\n');
    } else if (count === 2) {
      abort.abort();
      o.stderr.write('mxprobe: aborting the running probes\n');
    } else {
      o.exitNow();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop: stop.signal,
    abort: abort.signal,
    get interrupted() {
      return count > 0;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
