// Set-up for the many-target tests: scripted servers on chosen loopback addresses that count
// how many connections they hold at once, a DNS fixture, and runProbes collecting its results.
import { afterAll } from 'vitest';
import { startRawServer, type RawServer, type ScriptIO } from '../../fixtures/raw-server.js';
import { startDnsServer, type DnsFixture, type Zone } from '../../fixtures/dns-server.js';
import { startSmtpFixture, type SmtpFixture, type SmtpFixtureOptions } from '../../fixtures/smtp-fixture.js';
import { smtpDialog, type DialogOptions } from '../../fixtures/faulty-servers.js';
import { parseDestination } from '../../src/destination.js';
import { runProbes, type RunOptions, type RunStats } from '../../src/run.js';
import type { ProbeOptions, ProbeResult } from '../../src/types.js';

export { SHORT, EHLO_NAME, options } from '../probe/helpers.js';

/** Counts connections open at once, shared by every server it is given to (one per address). */
export class Counter {
  open = 0;
  max = 0;
  total = 0;
  enter(): void {
    this.total++;
    this.open++;
    this.max = Math.max(this.max, this.open);
  }
  leave(): void {
    this.open--;
  }
}

export function useRunFixtures() {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
  });
  const track = <T extends { close(): Promise<void> }>(s: T): T => {
    closers.push(() => s.close());
    return s;
  };
  return {
    /** A small SMTP server on `host` that waits `delayMs` before its banner, counting into `counter`. */
    async slow(host: string, counter: Counter | Counter[], delayMs: number, dialog: DialogOptions = { starttls: 'none' }, port?: number): Promise<RawServer> {
      // Counted from accept to the 221 reply to QUIT (or the peer's close): the SMTP session.
      // Socket close is not used, because in one process the server notices the client's close
      // an event-loop turn after the client has already moved on to its next connection.
      return track(await startRawServer(async (io: ScriptIO) => {
        const counters = Array.isArray(counter) ? counter : [counter];
        for (const c of counters) c.enter();
        try {
          await io.sleep(delayMs);
          await smtpDialog(io, dialog);
        } finally {
          for (const c of counters) c.leave();
        }
      }, { host, port }));
    },
    async raw(script: (io: ScriptIO, index: number) => Promise<void>, host = '127.0.0.1', port?: number): Promise<RawServer> {
      let n = 0;
      return track(await startRawServer((io) => script(io, n++), { host, port }));
    },
    async smtp(o: SmtpFixtureOptions): Promise<SmtpFixture> {
      return track(await startSmtpFixture(o));
    },
    async dns(zone: Zone): Promise<DnsFixture> {
      return track(await startDnsServer(zone));
    },
  };
}

/** runProbes over destination strings; every result in completion order, plus the stats. */
export async function run(inputs: string[], opts: ProbeOptions, run: Partial<RunOptions> = {}): Promise<{ results: ProbeResult[]; stats: RunStats }> {
  const results: ProbeResult[] = [];
  const stats = await runProbes(inputs.map((i) => parseDestination(i)), opts, {
    // The rate cap is off unless a test is about it: these tests pace nothing else.
    concurrency: 20, perHost: 2, perHostRate: Infinity, retryDelayMs: 10, ...run,
    onResult: (r, job) => {
      results.push(r);
      run.onResult?.(r, job);
    },
  });
  return { results, stats };
}
