// `mxprobe scan DEST`: flags → ScanOptions → scan → the chosen format → exit code from the
// profile's verdict (0 OK, 1 WARNING, 2 CRITICAL; 3 for usage errors and interrupted scans).
import { UsageError } from '../errors.js';
import { optionDefault, toProbeOptions } from '../cli-options.js';
import type { ScanOptions, ScanProfileName } from '../types.js';
import { scan } from '../scan/scan.js';
import { renderScan } from '../report/scan.js';
import { renderScanNagios, renderScanQuiet } from '../report/scan-summary.js';
import { toJson, toNdjsonLine } from '../report/json.js';
import { useColor } from '../report/color.js';
import { outputFormat } from './format.js';
import { EXIT_INTERRUPTED, exitCodeFor, handleInterrupts } from './process.js';

type Values = Record<string, unknown>;

/** The scan's options from its flags: the probe's connection flags plus profile and per-host. */
export function toScanOptions(v: Values): ScanOptions {
  const p = toProbeOptions(v, 'scan');
  return {
    profile: (v.profile as ScanProfileName | undefined) ?? optionDefault<ScanProfileName>('profile', 'scan'),
    perHost: (v.perHost as number | undefined) ?? optionDefault<number>('per-host', 'scan'),
    ehlo: p.ehlo, servername: p.servername, starttls: p.starttls, implicit: p.implicit,
    connectTimeoutMs: p.connectTimeoutMs, timeoutMs: p.timeoutMs, bannerTimeoutMs: p.bannerTimeoutMs,
    tlsTimeoutMs: p.tlsTimeoutMs, deadlineMs: p.deadlineMs, family: p.family, resolver: p.resolver,
    ...(v.port !== undefined && { port: v.port as number }),
    ...(v.quick === true && { quick: true }),
  };
}

export async function runScanCommand(args: string[], v: Values): Promise<number> {
  const [destination] = args;
  const { stdout, stderr } = process;
  const format = outputFormat(v);
  if (v.ipv4 && v.ipv6) throw new UsageError('-4 and -6 exclude each other');
  const options = toScanOptions(v);
  const interrupts = handleInterrupts({
    stderr, running: () => 0, noun: 'scan connections',
    exitNow: () => stdout.write('', () => process.exit(EXIT_INTERRUPTED)),
  });
  try {
    // The first signal ends the scan: a scan is one server, "the running ones" are all of it.
    const signal = AbortSignal.any([interrupts.stop, interrupts.abort]);
    const result = await scan(destination, { ...options, signal });
    const color = useColor({ isTTY: stdout.isTTY, env: process.env });
    if (format === 'json') stdout.write(toJson(result));
    else if (format === 'ndjson') stdout.write(toNdjsonLine(result));
    else if (format === 'quiet') stdout.write(renderScanQuiet(result, { color }));
    else if (format === 'nagios') stdout.write(renderScanNagios(result));
    else stdout.write(renderScan(result, { color }));
    return interrupts.interrupted ? EXIT_INTERRUPTED : exitCodeFor(result.status);
  } finally {
    interrupts.dispose();
  }
}
