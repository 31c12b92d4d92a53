// A real Prometheus scrapes the exporter through the relabelling blackbox_exporter users write
// (target → __param_target → instance, __address__ → the exporter), against the real-Postfix
// scenarios; the series are read back through Prometheus' HTTP API. A recording proxy in front
// of the exporter keeps every response Prometheus got, and each one passes `promtool check metrics`.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { startPostfix, type PostfixInstance } from '../../fixtures/postfix/instance.js';
import { prometheusBinary, startPrometheus, type PrometheusInstance } from '../../fixtures/prometheus.js';
import { startExporter, type Exporter } from '../../src/serve/server.js';
import { SHORT } from '../probe/helpers.js';
import { describePostfix } from '../postfix/guard.js';
import { checkMetrics, promtoolPath } from './promtool.js';

const SCENARIOS = ['good', 'expired', 'selfSigned', 'noStarttls'] as const;

interface Recorded { target: string; status: number; body: string }

/** Forwards every request to the exporter and keeps what it answered. */
function recordingProxy(to: string): Promise<{ url: string; port: number; responses: Recorded[]; close(): Promise<void> }> {
  const responses: Recorded[] = [];
  const server = http.createServer(async (req, res) => {
    try {
      const headers: Record<string, string> = {};
      const timeout = req.headers['x-prometheus-scrape-timeout-seconds'];
      if (typeof timeout === 'string') headers['X-Prometheus-Scrape-Timeout-Seconds'] = timeout;
      const upstream = await fetch(`${to}${req.url}`, { headers, signal: AbortSignal.timeout(10_000) });
      const body = await upstream.text();
      responses.push({ target: new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '', status: upstream.status, body });
      res.writeHead(upstream.status, { 'Content-Type': upstream.headers.get('content-type') ?? 'text/plain' });
      res.end(body);
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    resolve({
      url: `http://127.0.0.1:${port}`, port, responses,
      close: () => new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
    });
  }));
}

function config(targets: string[], proxyPort: number, exporterPort: number): string {
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: mxprobe
    metrics_path: /probe
    params:
      module: [default]
    static_configs:
      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:${proxyPort}
  - job_name: mxprobe-exporter
    static_configs:
      - targets: ['127.0.0.1:${exporterPort}']
`;
}

const inCi = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const missing = !prometheusBinary || !promtoolPath ? 'prometheus/promtool not installed (apt-get install prometheus)' : null;
if (missing && !inCi) console.warn(`SKIPPED Prometheus scrape test: ${missing}`);

describePostfix('a real Prometheus scrapes mxprobe serve (real Postfix scenarios)', () => {
  let pki: Pki;
  let pf: PostfixInstance;
  let exporter: Exporter;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let prom: PrometheusInstance;
  const instance = (s: (typeof SCENARIOS)[number]) => pf.services[s].destination;

  beforeAll(async () => {
    if (missing) {
      if (inCi) throw new Error(`CI=true but ${missing}`);
      return;
    }
    pki = await createPki();
    pf = await startPostfix({ pki, scenarios: [...SCENARIOS] });
    exporter = await startExporter({ port: 0, defaultOptions: { servername: 'mx.test.example', ca: pki.root.pem, ...SHORT } });
    proxy = await recordingProxy(exporter.url);
    prom = await startPrometheus(config(SCENARIOS.map((s) => pf.services[s].destination), proxy.port, exporter.port));
    // Until every target has been scraped at least twice.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const up = await prom.query('count_over_time(up{job="mxprobe"}[1m]) >= 2');
      if (up.length === SCENARIOS.length) break;
      if (Date.now() > deadline) throw new Error(`targets not scraped in 30 s; prometheus log: ${prom.log().slice(-500)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 90_000);

  afterAll(async () => {
    await prom?.stop();
    await proxy?.close();
    await exporter?.close();
    await pf?.stop();
  });

  it.skipIf(missing !== null)('every target is up: the scrapes themselves succeed, even for failing servers', async () => {
    const up = await prom.query('up{job="mxprobe"}');
    expect(up.map((s) => s.value)).toEqual(SCENARIOS.map(() => 1));
    expect((await prom.query('up{job="mxprobe-exporter"}'))[0].value).toBe(1);
  });

  it.skipIf(missing !== null)("the leaf expiry timestamp equals the certificate's notAfter", async () => {
    for (const s of ['good', 'expired', 'selfSigned'] as const) {
      const [leaf] = await prom.query(`mxprobe_cert_not_after_timestamp_seconds{instance="${instance(s)}",position="0"}`);
      expect(leaf.value, s).toBe(pki.leaves[s].notAfter.getTime() / 1000);
      expect(leaf.metric.sha256, s).toBe(pki.leaves[s].sha256);
    }
    const [intermediate] = await prom.query(`mxprobe_cert_not_after_timestamp_seconds{instance="${instance('good')}",position="1"}`);
    expect(intermediate.metric.sha256).toBe(pki.intermediate.sha256);
  });

  it.skipIf(missing !== null)('success and status per scenario: good passes; expired, self-signed and no STARTTLS fail', async () => {
    const byInstance = async (q: string) => Object.fromEntries((await prom.query(q)).map((s) => [s.metric.instance, s.value]));
    const success = await byInstance('mxprobe_success');
    const status = await byInstance('mxprobe_status');
    expect(success).toEqual({ [instance('good')]: 1, [instance('expired')]: 0, [instance('selfSigned')]: 0, [instance('noStarttls')]: 0 });
    expect(status).toEqual({ [instance('good')]: 0, [instance('expired')]: 2, [instance('selfSigned')]: 2, [instance('noStarttls')]: 2 });
    const trusted = await byInstance('mxprobe_cert_trusted');
    expect(trusted).toEqual({ [instance('good')]: 1, [instance('expired')]: 0, [instance('selfSigned')]: 0 });
    const [error] = await prom.query(`mxprobe_error_info{instance="${instance('noStarttls')}"}`);
    expect(error.metric).toMatchObject({ phase: 'starttls', code: 'starttls-not-offered' });
    const [version] = await prom.query(`mxprobe_tls_version_info{instance="${instance('good')}"}`);
    expect(version.metric.version).toBe('TLSv1.3');
    const [starttls] = await prom.query(`mxprobe_smtp_reply_code{instance="${instance('good')}",command="STARTTLS"}`);
    expect(starttls.value).toBe(220);
  });

  it.skipIf(missing !== null)('every response Prometheus got passes promtool check metrics', async () => {
    expect(proxy.responses.length).toBeGreaterThanOrEqual(2 * SCENARIOS.length);
    for (const r of proxy.responses) {
      expect(r.status).toBe(200);
      const check = await checkMetrics(r.body);
      expect(check.output, r.target).toBe('');
      expect(check.code, r.target).toBe(0);
    }
  });
});

describe('promtool', () => {
  it.skipIf(!inCi && missing !== null)('is installed where CI runs', () => {
    expect(missing).toBeNull();
  });
});
