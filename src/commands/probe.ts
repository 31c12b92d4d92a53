// `mxprobe [probe] DEST...`: destinations from arguments, -f files and stdin, through the run
// engine, rendered as they finish; the exit code is the worst status (or 2 on a change under
// --fail-on-change, 3 when interrupted).
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { optionDefault, readFromStdin, toProbeOptions } from '../cli-options.js';
import { parseDestination, parseDestinationList } from '../destination.js';
import { newRunStats, notProbedResult, runProbes, uniqueDestinations } from '../run.js';
import { diffDestination, parseBaseline, vanishedDestinations, type Baseline } from '../baseline.js';
import { resolveOptions } from '../options.js';
import { createProgress } from '../progress.js';
import type { Change, Destination, ProbeResult } from '../types.js';
import { RunTally, type RunFacts } from '../report/run-summary.js';
import { renderChanges } from '../report/baseline.js';
import { useColor } from '../report/color.js';
import { probeTable } from '../report/table.js';
import { summaryTable } from '../report/summary.js';
import { toJson, toNdjsonLine } from '../report/json.js';
import { renderTranscript } from '../report/transcript.js';
import { renderPem } from '../report/pem.js';
import { renderQuiet } from '../report/quiet.js';
import { renderNagios } from '../report/nagios.js';
import { renderSilentGreeting, renderUsageWarning } from '../report/messages.js';
import { renderPrometheus } from '../report/prometheus.js';
import { renderHtml } from '../report/html.js';
import { writeFileAtomic } from '../report/output-file.js';
import { outputFormat } from './format.js';
import { batchedWriter } from './writer.js';
import { EXIT_INTERRUPTED, exitCodeFor, handleInterrupts } from './process.js';

type Values = Record<string, unknown>;

/** Destinations from arguments, -f files and stdin ("-"); bad lines are reported, not fatal, unless nothing is usable. */
export function collectDestinations(args: string[], v: Values, warn: (source: string, line: number, message: string) => void): Destination[] {
  const opts = { starttls: v.starttls as boolean | undefined, implicit: (v.implicit || v.smtps) as boolean | undefined, port: v.port as number | undefined };
  const out: Destination[] = [];
  const lists: Array<[string, string]> = [];
  for (const arg of args) {
    if (arg === '-') lists.push(['stdin', readFileSync(0, 'utf8')]);
    else out.push(parseDestination(arg, opts));
  }
  for (const file of (v.file as string[] | undefined) ?? []) {
    try {
      lists.push([file, readFileSync(file === '-' ? 0 : file, 'utf8')]);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  let bad = 0;
  for (const [name, text] of lists) {
    const list = parseDestinationList(text, opts);
    for (const e of list.errors) warn(name, e.line, e.message);
    bad += list.errors.length;
    out.push(...list.destinations.map((d) => d.dest));
  }
  if (out.length === 0) throw new UsageError(bad ? 'no usable destination (every line was malformed)' : 'no destination given (mxprobe --help)');
  return out;
}

/** Standard input can be read once: a "-" destination, -f -, --data -. */
function checkStdin(args: string[], v: Values): void {
  const lists = args.filter((a) => a === '-').length + ((v.file as string[] | undefined) ?? []).filter((f) => f === '-').length;
  if (lists > 1 || (lists === 1 && readFromStdin.has('--data'))) throw new UsageError('standard input can be read only once (--data -, a - destination, -f -)');
}

export async function runProbeCommand(args: string[], v: Values): Promise<number> {
  const started = Date.now();
  const { stdout, stderr } = process;
  const color = useColor({ isTTY: stdout.isTTY, env: process.env });
  const format = outputFormat(v);
  if (v.ipv4 && v.ipv6) throw new UsageError('-4 and -6 exclude each other');
  // --output writes one finished document; streamed formats go to stdout as they happen.
  const outputFile = v.output as string | undefined;
  if (outputFile !== undefined && !['json', 'nagios', 'prometheus', 'html'].includes(format)) throw new UsageError(`--output writes json, nagios, prometheus or html, not --format ${format} (redirect stdout instead)`);
  checkStdin(args, v);
  const options = toProbeOptions(v, 'probe');
  // On a terminal a person is waiting: say early why a port stays silent (often implicit TLS).
  if (stderr.isTTY === true) {
    options.onSilentGreeting = ({ host, address, port }) => {
      bar.clear();
      stderr.write(renderSilentGreeting(host, address, port, (v.bannerTimeout as number | undefined) ?? (v.timeout as number | undefined) ?? optionDefault<number>('banner-timeout')));
    };
  }
  resolveOptions(options); // every flag checked before the first packet
  const baselineFile = v.baseline as { path: string; text: string } | undefined;
  const baseline: Baseline | undefined = baselineFile && parseBaseline(baselineFile.text, baselineFile.path);
  if (v.failOnChange && !baseline) throw new UsageError('--fail-on-change needs --baseline FILE');
  let badLines = 0;
  const listed = collectDestinations(args, v, (source, line, message) => {
    badLines++;
    stderr.write(renderUsageWarning(source, line, message));
  });
  const { destinations, duplicates } = uniqueDestinations(listed);
  const bar = createProgress({ stream: stderr, total: destinations.length, enabled: v.progress !== false && stderr.isTTY === true });
  const out = batchedWriter(stdout, () => bar.clear());
  const stats = newRunStats();
  const interrupts = handleInterrupts({
    stderr, running: () => stats.running, beforeMessage: () => bar.clear(),
    exitNow: () => {
      out.flush();
      stdout.write('', () => process.exit(EXIT_INTERRUPTED));
    },
  });

  const tally = new RunTally();
  const keep: ProbeResult[] = [];
  const changes: Change[] = [];
  const notProbed: string[] = [];
  const seen = new Set<string>();
  let unknownToBaseline = 0;
  let changed = false;
  const output = (r: ProbeResult) => {
    tally.add(r);
    if (r.changed) changed = true;
    // So far: what a closed stdout (`| head -1`) exits with (see main).
    process.exitCode = exitCodeFor(tally.worst());
    if (format === 'ndjson') out.emit(toNdjsonLine(r));
    else if (format === 'table') {
      // Tables stream too: each probe is printed as soon as it is done.
      let text = '';
      if (v.verbose && r.smtp.transcript) text += renderTranscript(r.smtp.transcript, { color });
      text += probeTable(r, { color });
      if (r.changes?.length) text += renderChanges(r.changes, { color, baselineName: baselineFile?.path });
      if (v.showCerts) text += renderPem(r);
      out.emit(`${text}\n`);
      keep.push(summaryOnly(r));
    } else if (format === 'quiet') out.emit(renderQuiet([r], { color }));
    else if (format === 'json' || format === 'prometheus' || format === 'html') keep.push(r);
    else keep.push(summaryOnly(r));
  };
  try {
    await runProbes(destinations, { ...options, signal: interrupts.abort }, {
      concurrency: (v.concurrency as number | undefined) ?? optionDefault<number>('concurrency'),
      perHost: (v.perHost as number | undefined) ?? optionDefault<number>('per-host'),
      retries: (v.retries as number | undefined) ?? optionDefault<number>('retries'),
      retryDelayMs: (v.retryDelay as number | undefined) ?? optionDefault<number>('retry-delay'),
      signal: interrupts.stop,
      stats,
      // Without a baseline each result goes out as soon as its host is done; with one, a
      // destination's results go out together, once they can be compared as a set.
      onResult: baseline ? undefined : output,
      onDestination: ({ destination }, results, complete) => {
        seen.add(destination.input);
        if (baseline) {
          if (!diffDestination(baseline, results, complete)) unknownToBaseline++;
          for (const r of results) {
            changes.push(...(r.changes ?? []));
            output(r);
          }
        }
        bar.tick(results.filter((r) => r.status === 'critical' || r.status === 'unknown').length);
      },
      onNotProbed: ({ destination }) => {
        notProbed.push(destination.input);
        // A script reading NDJSON or JSON sees every destination it asked for.
        if (format === 'ndjson' || format === 'json') output(notProbedResult(destination, options));
      },
    });
  } finally {
    interrupts.dispose();
    out.flush();
    bar.end();
  }

  if (baseline && !stats.stopped) changes.push(...vanishedDestinations(baseline, seen));
  const facts: RunFacts = {
    destinations: destinations.length, connections: stats.connections, shared: stats.shared, retried: stats.retried,
    elapsedMs: Date.now() - started, badLines, duplicates, notProbed,
  };
  const many = tally.results > 1 || stats.stopped || badLines > 0;
  let changeText = '';
  if (baseline) {
    changeText = renderChanges(changes, { color: format === 'table' && color, baselineName: baselineFile?.path });
    if (unknownToBaseline) changeText += `${unknownToBaseline} destination${unknownToBaseline === 1 ? '' : 's'} not in the baseline\n`;
  }
  const warnDays = (v.warnDays as number | undefined) ?? optionDefault<number>('warn-days');
  const critDays = (v.critDays as number | undefined) ?? optionDefault<number>('crit-days');
  const document = (text: string) => (outputFile !== undefined ? writeFileAtomic(outputFile, text) : stdout.write(text));
  if (format === 'json') document(toJson(keep));
  // Nagios "long output": lines after the status line are shown as detail.
  else if (format === 'nagios') document(`${renderNagios(keep, { warnDays, critDays })}${changeText}`);
  // node_exporter's textfile collector reads a whole file: --output makes it appear at once.
  else if (format === 'prometheus') document(renderPrometheus(keep, { runTimestampMs: started }));
  else if (format === 'html') document(renderHtml(keep, { changes: baseline ? changes : undefined, baselineName: baselineFile?.path, warnDays, critDays }));
  else if (format === 'quiet') stdout.write(changeText);
  else if (format === 'table') {
    let tail = '';
    if (keep.length > 1) tail += `${summaryTable(keep, { color })}${tally.extra(facts).map((l) => `${l}\n`).join('')}`;
    else if (many) tail += tally.render(facts);
    stdout.write(`${tail}${changeText && '\n'}${changeText}`);
  }
  // Machine formats keep stdout machine-readable: the summary and changes go to stderr.
  if ((format === 'json' || format === 'ndjson' || format === 'prometheus' || format === 'html') && (many || baseline)) stderr.write(`${many ? tally.render(facts) : ''}${changeText}`);
  if (stats.stopped || interrupts.interrupted) return EXIT_INTERRUPTED;
  // --fail-on-change: the results keep the server's own status; the change decides the exit code.
  if (v.failOnChange && (changed || changes.length > 0)) return Math.max(exitCodeFor(tally.worst()), 2);
  return exitCodeFor(tally.worst());
}

/** What the summary table, nagios and quiet need; the rest is dropped so memory stays flat in the number of targets. */
function summaryOnly(r: ProbeResult): ProbeResult {
  return { ...r, certificates: r.certificates.slice(0, 1).map((c) => ({ ...c, pem: undefined })), smtp: { ...r.smtp, transcript: undefined, replies: [] }, changes: undefined };
}
