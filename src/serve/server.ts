// `mxprobe serve`: a Prometheus exporter in blackbox_exporter's style. Prometheus relabels each
// target into `GET /probe?target=DEST&module=NAME`; the answer is that probe's metrics (one set
// per MX host for a domain). `GET /metrics` is the exporter's own health. The scrape timeout
// Prometheus sends (X-Prometheus-Scrape-Timeout-Seconds) bounds the probe, so a dead server
// gives `mxprobe_success 0` in time instead of a failed scrape. Bad requests get 400 and one
// line; nothing a client sends ends the process.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseDestination } from '../destination.js';
import { UsageError } from '../errors.js';
import { createRunContext, probeAll } from '../probe.js';
import { renderFamilies, type MetricFamily } from '../report/exposition.js';
import { renderPrometheus } from '../report/prometheus.js';
import type { ProbeOptions, ProbeResult } from '../types.js';
import { createGate } from './gate.js';
import { DEFAULT_MODULE, type ExporterModule } from './modules.js';
import { ExporterStats } from './self-metrics.js';

export interface ExporterOptions {
  /** Listen address (default 127.0.0.1: an exporter that connects where it is told is not for the world). */
  host?: string;
  /** Listen port (default 9525, outside the ports common exporters use; 0 = any free port). */
  port?: number;
  /** The default module: the probe options given on serve's command line. */
  defaultOptions?: ProbeOptions;
  /** Port for targets that name none, in the default module (the command line's --port). */
  defaultPort?: number;
  /** Further modules (loadModules); a `default` entry replaces the one built from defaultOptions. */
  modules?: Map<string, ExporterModule>;
  /** Connections at once over all scrapes (default 20). */
  concurrency?: number;
  /** Connections at once to one address over all scrapes (default 2). */
  perHost?: number;
  /** Taken off the scrape timeout so the answer reaches Prometheus in time (default 500 ms, as blackbox_exporter). */
  timeoutOffsetMs?: number;
  /** Probe budget when the request has no timeout header, and the cap on it (default 60 s). */
  maxTimeoutMs?: number;
}

export interface Exporter {
  /** "http://127.0.0.1:PORT" */
  url: string;
  host: string;
  port: number;
  /** Stops listening, aborts running probes, closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_EXPORTER_PORT = 9525;
const MAX_TARGET_LENGTH = 1024;
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A 400's one line: the reason, never raw control characters echoed back. */
class BadRequest extends Error {}
const printable = (s: string) => s.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');

/** The probe budget: the scrape timeout Prometheus sends, less the offset, within the cap. */
export function probeBudgetMs(header: string | undefined, offsetMs: number, maxMs: number): number {
  const seconds = header === undefined ? NaN : Number(header);
  if (!Number.isFinite(seconds) || seconds <= 0) return maxMs;
  const ms = seconds * 1000;
  // An offset as long as the timeout itself would leave nothing: keep most of the timeout.
  return Math.min(maxMs, ms > offsetMs ? ms - offsetMs : ms * 0.9);
}

export async function startExporter(o: ExporterOptions = {}): Promise<Exporter> {
  const modules = new Map(o.modules ?? []);
  if (!modules.has(DEFAULT_MODULE)) modules.set(DEFAULT_MODULE, { name: DEFAULT_MODULE, options: { ...o.defaultOptions }, ...(o.defaultPort !== undefined && { port: o.defaultPort }) });
  const gate = createGate(o.concurrency ?? 20, o.perHost ?? 2);
  const stats = new ExporterStats(gate);
  const offsetMs = o.timeoutOffsetMs ?? 500;
  const maxMs = o.maxTimeoutMs ?? 60_000;
  const running = new Set<AbortController>();

  async function probeRequest(url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const moduleName = url.searchParams.get('module') || DEFAULT_MODULE;
    const module = modules.get(moduleName);
    const label = module ? moduleName : 'unknown';
    const abort = new AbortController();
    running.add(abort);
    // A client that hung up (Prometheus gave up) needs no answer: stop its probe.
    res.on('close', () => abort.abort(new Error('client closed the connection')));
    stats.inFlight++;
    try {
      if (!module) throw new BadRequest(`unknown module '${printable(moduleName).slice(0, 64)}' (known: ${[...modules.keys()].join(', ')})`);
      const target = url.searchParams.get('target');
      if (!target) throw new BadRequest('target parameter is missing (GET /probe?target=DEST&module=NAME)');
      if (target.length > MAX_TARGET_LENGTH) throw new BadRequest(`target is longer than ${MAX_TARGET_LENGTH} characters`);
      let destination;
      try {
        destination = parseDestination(target, { starttls: module.options.starttls, implicit: module.options.implicit, port: module.port });
      } catch (err) {
        if (err instanceof UsageError) throw new BadRequest(`target '${printable(target)}': ${err.message}`);
        throw err;
      }
      const budgetMs = probeBudgetMs(req.headers['x-prometheus-scrape-timeout-seconds'] as string | undefined, offsetMs, maxMs);
      const timer = setTimeout(() => abort.abort(new Error('scrape timeout')), budgetMs);
      let results: ProbeResult[];
      try {
        const options: ProbeOptions = { ...module.options, signal: abort.signal, deadlineMs: Math.min(module.options.deadlineMs ?? Infinity, budgetMs) };
        const ctx = { ...createRunContext(options), gate: (address: string) => gate.acquire(address, abort.signal) };
        results = await probeAll(destination, options, ctx);
      } finally {
        clearTimeout(timer);
      }
      if (res.destroyed) return stats.scrape(label, 'cancelled', 0);
      for (const r of results) {
        if (r.error?.code === 'aborted') r.error.message = `the scrape timeout (${Math.round(budgetMs)} ms) ended the probe in phase ${r.error.phase}`;
      }
      const seconds = (performance.now() - started) / 1000;
      const extra: MetricFamily[] = [
        { name: 'mxprobe_probe_duration_seconds', help: 'Time the exporter took for this scrape, DNS and every host included.', type: 'gauge', samples: [{ labels: {}, value: seconds }] },
        { name: 'mxprobe_probe_results', help: 'Probes this scrape made (one per MX host, or per address with all-addresses).', type: 'gauge', samples: [{ labels: {}, value: results.length }] },
      ];
      send(res, 200, renderPrometheus(results, { extra }));
      stats.scrape(label, 'probed', seconds);
    } catch (err) {
      if (err instanceof BadRequest || err instanceof UsageError) {
        stats.scrape(label, 'bad-request', 0);
        send(res, 400, `${err.message}\n`, 'text/plain; charset=utf-8');
      } else {
        stats.scrape(label, 'error', 0);
        send(res, 500, `internal error: ${printable((err as Error)?.message ?? String(err))}\n`, 'text/plain; charset=utf-8');
      }
    } finally {
      stats.inFlight--;
      running.delete(abort);
    }
  }

  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://exporter');
    } catch {
      return send(res, 400, 'malformed request URL\n', 'text/plain; charset=utf-8');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'only GET and HEAD\n', 'text/plain; charset=utf-8');
    }
    if (url.pathname === '/probe') return void probeRequest(url, req, res);
    if (url.pathname === '/metrics') return send(res, 200, renderFamilies(stats.families()));
    if (url.pathname === '/') {
      const names = [...modules.keys()].join(', ');
      return send(res, 200, `mxprobe exporter\n/probe?target=DEST&module=NAME  probe DEST (modules: ${names})\n/metrics  the exporter's own metrics\n`, 'text/plain; charset=utf-8');
    }
    send(res, 404, 'not found: use /probe?target=DEST or /metrics\n', 'text/plain; charset=utf-8');
  });
  // A client must not hold a connection open with a slow request; keep-alive stays (Prometheus reuses it).
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`serve: cannot listen on ${host}:${o.port ?? DEFAULT_EXPORTER_PORT}: ${err.code ?? err.message}`)));
    server.listen(o.port ?? DEFAULT_EXPORTER_PORT, host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    close: () => new Promise<void>((resolve) => {
      for (const a of running) a.abort(new Error('exporter closing'));
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function send(res: http.ServerResponse, status: number, body: string, type = CONTENT_TYPE): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
