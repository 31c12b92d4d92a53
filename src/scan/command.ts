// `mxprobe scan DEST`: CLI values → ScanOptions → scan → table or JSON → exit code from the
// profile's verdict (0 OK, 1 WARNING, 2 CRITICAL; 3 only for usage errors). Wired in src/cli.ts.
import { UsageError } from '../errors.js';
import { parseIntIn, toProbeOptions } from '../cli-options.js';
import type { ScanOptions, ScanProfileName } from '../types.js';
import { renderScan } from '../report/scan.js';
import { useColor } from '../report/color.js';
import { exitCodeFor } from '../report/status.js';
import { SCAN_PROFILES } from './profiles/index.js';
import { scan, DEFAULT_PER_HOST } from './scan.js';

type Values = Record<string, unknown>;

export function parseProfile(value: string): ScanProfileName {
  const v = value.toLowerCase();
  if (!(SCAN_PROFILES as readonly string[]).includes(v)) throw new UsageError(`--profile: '${value}' is not one of ${SCAN_PROFILES.join(', ')}`);
  return v as ScanProfileName;
}

/** --per-host for scan: 1..64 connections at once. */
export const parsePerHost = parseIntIn('--per-host', 1, 64);

export function toScanOptions(v: Values): ScanOptions {
  // The connection flags are the probe's own (cli-options.ts); scan adds profile and per-host.
  const p = toProbeOptions(v);
  return {
    profile: (v.profile as ScanProfileName | undefined) ?? 'ncsc',
    perHost: (v.perHost as number | undefined) ?? DEFAULT_PER_HOST,
    ehlo: p.ehlo, servername: p.servername, starttls: p.starttls, implicit: p.implicit,
    connectTimeoutMs: p.connectTimeoutMs, timeoutMs: p.timeoutMs, bannerTimeoutMs: p.bannerTimeoutMs,
    tlsTimeoutMs: p.tlsTimeoutMs, deadlineMs: p.deadlineMs, family: p.family, resolver: p.resolver,
  };
}

export async function runScanCommand(destination: string, v: Values): Promise<number> {
  const options = toScanOptions(v);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await scan(destination, { ...options, signal: controller.signal });
    const out = v.json ? `${JSON.stringify(result, null, 2)}\n` : renderScan(result, { color: useColor({ isTTY: process.stdout.isTTY, env: process.env }) });
    process.stdout.write(out);
    return controller.signal.aborted ? 3 : exitCodeFor(result.status);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
