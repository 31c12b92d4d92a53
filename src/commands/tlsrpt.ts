// `mxprobe tlsrpt REPORT.json[.gz]...`: RFC 8460 aggregate reports summarised per policy, MX host
// and result type; with --reprobe each failing MX host is probed today under the reported policy.
// Files are read one at a time, each bounded (--max-size), so memory stays flat.
import { UsageError } from '../errors.js';
import { optionDefault, toProbeOptions } from '../cli-options.js';
import { readTlsrptReport } from '../tlsrpt/report.js';
import { summariseReports } from '../tlsrpt/summary.js';
import { reprobe } from '../tlsrpt/reprobe.js';
import type { TlsrptReport, TlsrptReprobe } from '../types.js';
import { renderTlsrpt, tlsrptJson, tlsrptStatus } from '../report/tlsrpt.js';
import { useColor } from '../report/color.js';
import { statusWord } from '../report/status.js';
import { outputFormat } from './format.js';
import { exitCodeFor } from './process.js';

type Values = Record<string, unknown>;

export async function runTlsrptCommand(args: string[], v: Values): Promise<number> {
  if (args.length === 0) throw new UsageError('at least one report file is required: mxprobe tlsrpt REPORT.json.gz ...');
  const format = outputFormat(v);
  const probeFlags = toProbeOptions(v, 'tlsrpt');
  if (!v.reprobe && Object.keys(probeFlags).length > 0) throw new UsageError(`${Object.keys(probeFlags).join(', ')}: probe options are used only with --reprobe`);
  const maxBytes = (v.maxSize as number | undefined) ?? optionDefault<number>('max-size', 'tlsrpt');
  const reports: TlsrptReport[] = [];
  for (const file of args) reports.push(await readTlsrptReport(file, { maxBytes }));
  const summary = summariseReports(reports);
  let reprobes: TlsrptReprobe[] | undefined;
  if (v.reprobe) {
    reprobes = await reprobe(reports, probeFlags, {
      concurrency: (v.concurrency as number | undefined) ?? 4,
      ...(v.port !== undefined && { port: v.port as number }),
    });
  }
  const status = tlsrptStatus(reports, summary, reprobes);
  const json = tlsrptJson(reports, summary, reprobes);
  if (format === 'json') process.stdout.write(json);
  else if (format === 'ndjson') process.stdout.write(`${JSON.stringify(JSON.parse(json))}\n`);
  else if (format === 'quiet' || format === 'nagios') {
    const failing = summary.policies.reduce((n, p) => n + p.failed, 0);
    process.stdout.write(`${format === 'nagios' ? 'SMTP-TLSRPT ' : ''}${statusWord(status)} - ${reports.length} report${reports.length === 1 ? '' : 's'}, ${failing} failed sessions${reprobes ? `, ${reprobes.filter((r) => r.stillFails).length} of ${reprobes.length} MX hosts still failing` : ''}\n`);
  } else process.stdout.write(renderTlsrpt(reports, summary, reprobes, { color: useColor({ isTTY: process.stdout.isTTY, env: process.env }) }));
  return exitCodeFor(status);
}
