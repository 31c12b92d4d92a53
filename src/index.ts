// Programmatic API. Importing this module registers no process listeners and
// never calls process.exit: probe() resolves to data, even for dead servers.
export { probe, probeAll, createRunContext } from './probe.js';
export type { RunContext } from './probe.js';
export { parseDestination, parseDestinationList } from './destination.js';
export { ProbeError, UsageError } from './errors.js';
export * from './types.js';
export { runProbes } from './run.js';
export { scan, SCAN_PROFILES } from './scan/index.js';
export { checkPostfix } from './postfix/index.js';
export type * from './postfix/types.js';
