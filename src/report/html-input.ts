// `mxprobe report RUN.ndjson [--baseline OLD]`: the run's results read back (NDJSON as
// --ndjson writes it, line by line, or a --json array), and the changes since the baseline
// computed with the same comparison a run with --baseline makes (src/baseline.ts).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { diffDestination, vanishedDestinations, type Baseline } from '../baseline.js';
import { UsageError } from '../errors.js';
import type { Change, ProbeResult } from '../types.js';

function checkResult(item: unknown, where: string): ProbeResult {
  const r = item as Partial<ProbeResult>;
  if (!r || typeof r !== 'object' || typeof r.destination !== 'string' || typeof r.host !== 'string' || typeof r.port !== 'number' || typeof r.status !== 'string') {
    throw new UsageError(`${where}: not an mxprobe result (needs destination, host, port, status)`);
  }
  return r as ProbeResult;
}

/** Results from mxprobe --ndjson or --json output; a line that is not one is a UsageError naming it. */
export async function readResultsFile(path: string): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const stream = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`${path}: cannot read: ${err.code ?? err.message}`)));
  });
  await opened;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  let whole: string[] | null = null;
  for await (const line of lines) {
    n++;
    if (whole) {
      whole.push(line);
      continue;
    }
    const t = line.trim();
    if (t === '') continue;
    // A --json array (possibly pretty-printed): collect the file and parse it at once.
    if (t.startsWith('[') && results.length === 0) {
      whole = [line];
      continue;
    }
    let item: unknown;
    try {
      item = JSON.parse(t);
    } catch {
      throw new UsageError(`${path}:${n}: not JSON (expected mxprobe --ndjson or --json output)`);
    }
    results.push(checkResult(item, `${path}:${n}`));
  }
  if (whole) {
    let items: unknown;
    try {
      items = JSON.parse(whole.join('\n'));
    } catch (err) {
      throw new UsageError(`${path}: not JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(items)) throw new UsageError(`${path}: expected a JSON array of results`);
    items.forEach((item, i) => results.push(checkResult(item, `${path}: entry ${i + 1}`)));
  }
  return results;
}

/**
 * Sets `changes` on each result (per destination, as a run with --baseline does) and returns
 * every change, destinations the baseline had and this run lacks included.
 */
export function compareWithBaseline(results: readonly ProbeResult[], baseline: Baseline): Change[] {
  const byDestination = new Map<string, ProbeResult[]>();
  for (const r of results) {
    const list = byDestination.get(r.destination) ?? [];
    list.push(r);
    byDestination.set(r.destination, list);
  }
  const changes: Change[] = [];
  for (const list of byDestination.values()) {
    diffDestination(baseline, list, true);
    for (const r of list) changes.push(...(r.changes ?? []));
  }
  changes.push(...vanishedDestinations(baseline, new Set(byDestination.keys())));
  return changes;
}
