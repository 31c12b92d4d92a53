// The exporter's own metrics (GET /metrics): what Prometheus needs to see that the exporter
// itself is healthy — scrapes by outcome, their duration, the connection slots, the process.
import { memoryUsage, cpuUsage } from 'node:process';
import type { MetricFamily, Sample } from '../report/exposition.js';
import type { Gate } from './gate.js';

export type ScrapeOutcome = 'probed' | 'bad-request' | 'error' | 'cancelled';

export class ExporterStats {
  private readonly scrapes = new Map<string, number>();
  private readonly duration = new Map<string, { sum: number; count: number }>();
  inFlight = 0;
  private readonly startedMs = Date.now();

  constructor(private readonly gate: Gate) {}

  scrape(module: string, outcome: ScrapeOutcome, seconds: number): void {
    const key = `${module}\u0000${outcome}`;
    this.scrapes.set(key, (this.scrapes.get(key) ?? 0) + 1);
    if (outcome === 'probed') {
      const d = this.duration.get(module) ?? { sum: 0, count: 0 };
      d.sum += seconds;
      d.count++;
      this.duration.set(module, d);
    }
  }

  families(): MetricFamily[] {
    const scrapes: Sample[] = [...this.scrapes].map(([key, value]) => {
      const [module, outcome] = key.split('\u0000');
      return { labels: { module, outcome }, value };
    });
    const duration: Sample[] = [...this.duration].flatMap(([module, d]) => [
      { labels: { module }, value: d.sum, suffix: '_sum' },
      { labels: { module }, value: d.count, suffix: '_count' },
    ]);
    const cpu = cpuUsage();
    return [
      { name: 'mxprobe_exporter_scrapes_total', help: 'Requests to /probe by module and outcome (probed, bad-request, error, cancelled).', type: 'counter', samples: scrapes },
      { name: 'mxprobe_exporter_scrape_duration_seconds', help: 'Time to answer /probe requests that probed.', type: 'summary', samples: duration },
      { name: 'mxprobe_exporter_scrapes_in_flight', help: '/probe requests being answered now.', type: 'gauge', samples: [{ labels: {}, value: this.inFlight }] },
      { name: 'mxprobe_exporter_connections_active', help: 'Probe connections holding a slot now.', type: 'gauge', samples: [{ labels: {}, value: this.gate.active }] },
      { name: 'mxprobe_exporter_connections_waiting', help: 'Probe connections waiting for a slot (overall or per-address cap).', type: 'gauge', samples: [{ labels: {}, value: this.gate.waiting }] },
      { name: 'process_start_time_seconds', help: 'Start time of the exporter since the Unix epoch.', type: 'gauge', samples: [{ labels: {}, value: this.startedMs / 1000 }] },
      { name: 'process_cpu_seconds_total', help: 'User and system CPU time spent.', type: 'counter', samples: [{ labels: {}, value: (cpu.user + cpu.system) / 1e6 }] },
      { name: 'process_resident_memory_bytes', help: 'Resident memory size.', type: 'gauge', samples: [{ labels: {}, value: memoryUsage.rss() }] },
    ];
  }
}
