// Destinations from the command line and from -f lists (files or standard input), as a stream:
// each list is parsed while it is read, so probing starts with the first line and a list of any
// length is never held whole. Repeats (same input, port and mode, the first one wins) are
// dropped through a compact key set (src/run/key-set.ts); bad lines are reported as they are met.
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { parseListLine, type DestinationOptions } from '../destination.js';
import { KeySet } from '../run/key-set.js';
import type { Destination } from '../types.js';
import { readLines } from './lines.js';

export interface ListSource {
  /** As reports name it: the path, or "stdin". */
  name: string;
  open(): Readable;
}

/**
 * A -f list, checked now (a missing or unreadable file is a usage error before the first
 * packet) and read later, as the run asks for destinations. "-" is standard input.
 */
export function listSource(path: string, stdin: () => Readable = () => process.stdin): ListSource {
  if (path === '-') return { name: 'stdin', open: stdin };
  let fd: number;
  try {
    fd = openSync(path, 'r');
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { name: path, open: () => createReadStream(path, { fd, highWaterMark: 64 * 1024 }) };
}

export interface StreamCounts {
  /** Destinations handed out (after dedupe). */
  destinations: number;
  duplicates: number;
  badLines: number;
}

export interface DestinationStreamOptions extends DestinationOptions {
  /** A list line that is no destination (or longer than any destination can be). */
  onBadLine?: (source: string, line: number, message: string) => void;
  /** Filled as the stream is read. */
  counts?: StreamCounts;
}

/** The key two destinations share when they are the same probe (as uniqueDestinations in run.ts). */
export function destinationKey(d: Destination): string {
  return `${d.mode} ${d.port} ${d.input.toLowerCase()}`;
}

/** `given` (already parsed arguments), then each list in order, without repeats. */
export async function* destinationStream(given: Iterable<Destination>, lists: ListSource[], o: DestinationStreamOptions = {}): AsyncGenerator<Destination> {
  const counts = o.counts ?? { destinations: 0, duplicates: 0, badLines: 0 };
  const seen = new KeySet();
  const fresh = (d: Destination): boolean => {
    if (seen.add(destinationKey(d))) {
      counts.destinations++;
      return true;
    }
    counts.duplicates++;
    return false;
  };
  for (const d of given) if (fresh(d)) yield d;
  for (const list of lists) {
    const stream = list.open();
    try {
      for await (const batch of readLines(stream)) {
        for (const { line, text } of batch) {
          if (text === null) {
            counts.badLines++;
            o.onBadLine?.(list.name, line, 'line too long to be a destination');
            continue;
          }
          const parsed = parseListLine(text, o);
          if (parsed === null) continue;
          if ('error' in parsed) {
            counts.badLines++;
            o.onBadLine?.(list.name, line, parsed.error);
          } else if (fresh(parsed.dest)) {
            yield parsed.dest;
          }
        }
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`cannot read ${list.name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    } finally {
      // Stopped early (an interrupted run that has named what it did not probe): let go of the file.
      if (list.name !== 'stdin') stream.destroy();
    }
  }
}
