// Programmatic API. Importing this module registers no process listeners and
// never calls process.exit: probe() resolves to data, even for dead servers.
export { probe, probeAll, createRunContext } from './probe.js';
export type { RunContext } from './probe.js';
export { parseDestination, parseDestinationList } from './destination.js';
export { ProbeError, UsageError } from './errors.js';
export * from './types.js';
export { runProbes } from './run.js';
export { scan, SCAN_PROFILES } from './scan/index.js';
// Monitoring: the Prometheus exporter and text format, the HTML report, TLSRPT reports in.
export { startExporter, DEFAULT_EXPORTER_PORT } from './serve/server.js';
export type { Exporter, ExporterOptions } from './serve/server.js';
export { loadModules, DEFAULT_MODULE } from './serve/modules.js';
export type { ExporterModule } from './serve/modules.js';
export { renderPrometheus } from './report/prometheus.js';
export { renderHtml } from './report/html.js';
export type { HtmlReportOptions } from './report/html.js';
export { readResultsFile, compareWithBaseline } from './report/html-input.js';
export { writeFileAtomic } from './report/output-file.js';
export { readTlsrptReport } from './tlsrpt/report.js';
export { summariseReports } from './tlsrpt/summary.js';
export { reprobe, reprobeOptions } from './tlsrpt/reprobe.js';
