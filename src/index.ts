// Programmatic API: every command's work is a library call here. Importing this module registers
// no process listeners and never calls process.exit; the calls resolve to data, even for dead
// servers, and reject only for bad input (UsageError), as the CLI does.
export { probe, probeAll, createRunContext } from './probe.js';
export type { RunContext } from './probe.js';
export { runProbes, newRunStats, perAddressGate } from './run.js';
export type { ProbeJob, RunOptions, RunStats } from './run.js';
export { checkPolicy } from './policy/check.js';
export type { PolicyCheck, PolicyCheckOptions } from './policy/check.js';
export type { PolicyVerdict, HostVerdict } from './policy/evaluate.js';
export { scan, SCAN_PROFILES } from './scan/index.js';
export { tlsaRecords, tlsaOwner } from './dane/tlsa-records.js';
export type { TlsaLine, TlsaRecordOptions } from './dane/tlsa-records.js';
export { parseDestination, parseDestinationList } from './destination.js';
export { LEVELS } from './levels.js';
export { ProbeError, UsageError } from './errors.js';
export * from './types.js';
export { checkPostfix } from './postfix/index.js';
export type * from './postfix/types.js';
// `mxprobe fingerprint`: Postfix's certificate and public-key digests and the table lines using them.
export { fingerprintReport, postfixFingerprints } from './fingerprint.js';
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
// `mxprobe demo`: a STARTTLS server on 127.0.0.1 with a PKI made on the spot, and its probe.
export { runDemo, createDemoPki, startDemoServer } from './demo/index.js';
export type { DemoOptions, DemoPki, DemoPkiOptions, DemoCertificate, DemoServer, DemoServerOptions } from './demo/index.js';
