// Programmatic API. Importing this module registers no process listeners and
// never calls process.exit: probe() resolves to data, even for dead servers.
export { probe, probeAll, createRunContext } from './probe.js';
export type { RunContext } from './probe.js';
export { parseDestination, parseDestinationList } from './destination.js';
export { ProbeError, UsageError } from './errors.js';
export * from './types.js';
export { runProbes } from './run.js';
export { scan, SCAN_PROFILES } from './scan/index.js';
// `mxprobe fingerprint`: Postfix's certificate and public-key digests and the table lines using them.
export { fingerprintReport, postfixFingerprints } from './fingerprint.js';
