// `mxprobe [probe] DEST...`: destinations from arguments, -f files and stdin (read as a stream,
// while probing), through the run engine, rendered as they finish; the exit code is the worst status (or 2 on a change under
// --fail-on-change, 3 when interrupted).
import { UsageError } from '../errors.js';
import { optionDefault, readFromStdin, toProbeOptions } from '../cli-options.js';
import { parseDestination, type DestinationOptions } from '../destination.js';
import { newRunStats, notProbedResult, runProbes, uniqueDestinations } from '../run.js';
import { destinationStream, listSource, type ListSource, type StreamCounts } from '../input/destination-stream.js';
import type { ShardBy, ShardSpec } from '../run/shard.js';
import { diffDestination, parseBaseline, vanishedDestinations, type Baseline } from '../baseline.js';
import { resolveOptions } from '../options.js';
import { createProgress } from '../progress.js';
import type { Change, Destination, ProbeResult } from '../types.js';
import { NAMED_NOT_PROBED, RunTally, type RunFacts } from '../report/run-summary.js';
import { JsonArrayStream } from '../report/json-array.js';
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
import { writeFileAtomic } from '../report/output-file.js';
import { outputFormat } from './format.js';
import { batchedWriter } from './writer.js';
import { runOptionsFrom } from './run-options.js';
import { EXIT_INTERRUPTED, exitCodeFor, handleInterrupts } from './process.js';

type Values = Record<string, unknown>;

/** The summary table for a table run is drawn up to this many results; above, the counts stand alone. */
export const SUMMARY_TABLE_MAX = 1000;

/** Where destinations come from: parsed arguments now, lists opened now and read while probing. */
export function destinationSources(args: string[], v: Values): { given: Destination[]; lists: ListSource[]; opts: DestinationOptions } {
  const opts = { starttls: v.starttls as boolean | undefined, implicit: (v.implicit || v.smtps) as boolean | undefined, port: v.port as number | undefined };
  const given = args.filter((a) => a !== '-').map((a) => parseDestination(a, opts));
  const lists = [...args.filter((a) => a === '-'), ...((v.file as string[] | undefined) ?? [])].map((f) => listSource(f));
  if (given.length === 0 && lists.length === 0) throw new UsageError('no destination given (mxprobe --help)');
  return { given, lists, opts };
}

/** Standard input can be read once: a "-" destination, -f -, --data -. */
function checkStdin(args: string[], v: Values): void {
  const lists = args.filter((a) => a === '-').length + ((v.file as string[] | undefined) ?? []).filter((f) => f === '-').length;
  if (lists > 1 || (lists === 1 && readFromStdin.has('--data'))) throw new UsageError('standard input can be read only once (--data -, a - destination, -f -)');
}

/** --shard, --shard-seed, --shard-by as the engine takes them. */
function shardOf(v: Values): ShardSpec | undefined {
  const shard = v.shard as { index: number; count: number } | undefined;
  if (!shard) {
    if (v.shardSeed !== undefined || (v.shardBy !== undefined && v.shardBy !== optionDefault('shard-by'))) throw new UsageError('--shard-seed and --shard-by go with --shard K/N');
    return undefined;
  }
  return { ...shard, seed: (v.shardSeed as string | undefined) ?? '', by: (v.shardBy as ShardBy | undefined) ?? optionDefault<ShardBy>('shard-by') };
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
  const shard = shardOf(v);
  // A shard sees part of the baseline's destinations: the rest would all read as vanished.
  if (shard && baseline) throw new UsageError('--baseline compares a whole run: merge the shards first (cat shard-*.ndjson > run.ndjson; mxprobe report run.ndjson --baseline FILE)');
  const runOptions = await runOptionsFrom(v, 'probe');
  const { given, lists, opts } = destinationSources(args, v);
  const counts: StreamCounts = { destinations: 0, duplicates: 0, badLines: 0 };
  const progressOn = v.progress !== false && stderr.isTTY === true;
  const bar = createProgress({ stream: stderr, total: lists.length ? null : uniqueDestinations(given).destinations.length, enabled: progressOn });
  const out = batchedWriter(stdout, () => bar.clear());
  const destinations = withEnd(destinationStream(given, lists, {
    ...opts, counts,
    onBadLine: (source, line, message) => {
      bar.clear();
      stderr.write(renderUsageWarning(source, line, message));
    },
  }), () => bar.setTotal(counts.destinations));
  const stats = newRunStats();
  // --format json to stdout streams one array element per result; --output writes the document at the end.
  const jsonStream = format === 'json' && outputFile === undefined ? new JsonArrayStream() : null;
  const interrupts = handleInterrupts({
    stderr, running: () => stats.running, beforeMessage: () => bar.clear(),
    exitNow: () => {
      if (jsonStream) out.emit(jsonStream.end());
      out.flush();
      stdout.write('', () => process.exit(EXIT_INTERRUPTED));
    },
  });

  const tally = new RunTally();
  // Held for documents (json --output, nagios, prometheus, html) and, up to SUMMARY_TABLE_MAX, the summary table.
  let keep: ProbeResult[] | null = [];
  const changes: Change[] = [];
  const notProbed: string[] = [];
  const seen = baseline ? new Set<string>() : null;
  let unknownToBaseline = 0;
  let changed = false;
  const output = (r: ProbeResult) => {
    tally.add(r);
    if (r.changed) changed = true;
    // So far: what a closed stdout (`| head -1`) exits with (see main).
    process.exitCode = exitCodeFor(tally.worst());
    if (format === 'ndjson') out.emit(toNdjsonLine(r));
    else if (jsonStream) out.emit(jsonStream.item(r));
    else if (format === 'table') {
      // Tables stream too: each probe is printed as soon as it is done.
      let text = '';
      if (v.verbose && r.smtp.transcript) text += renderTranscript(r.smtp.transcript, { color });
      text += probeTable(r, { color });
      if (r.changes?.length) text += renderChanges(r.changes, { color, baselineName: baselineFile?.path });
      if (v.showCerts) text += renderPem(r);
      out.emit(`${text}\n`);
      if (keep && keep.length < SUMMARY_TABLE_MAX) keep.push(summaryOnly(r));
      else keep = null; // over the limit: the counts summarize, nothing more is held
    } else if (format === 'quiet') out.emit(renderQuiet([r], { color }));
    else if (format === 'json' || format === 'prometheus' || format === 'html') keep!.push(r);
    else keep!.push(summaryOnly(r));
  };
  try {
    await runProbes(destinations, { ...options, signal: interrupts.abort }, {
      ...runOptions,
      shard,
      signal: interrupts.stop,
      stats,
      // Without a baseline each result goes out as soon as its host is done; with one, a
      // destination's results go out together, once they can be compared as a set.
      onResult: baseline ? undefined : output,
      onDestination: ({ destination }, results, complete) => {
        if (baseline) {
          seen!.add(destination.input);
          if (!diffDestination(baseline, results, complete)) unknownToBaseline++;
          for (const r of results) {
            changes.push(...(r.changes ?? []));
            output(r);
          }
        }
        bar.tick(results.filter((r) => r.status === 'critical' || r.status === 'unknown').length);
      },
      onOtherShard: () => bar.tick(0),
      onNotProbed: ({ destination }) => {
        // The summary names the first few; NDJSON and JSON carry a record for each.
        if (notProbed.length < NAMED_NOT_PROBED) notProbed.push(destination.input);
        // A script reading NDJSON or JSON sees every destination it asked for.
        if (format === 'ndjson' || format === 'json') output(notProbedResult(destination, options));
      },
    });
  } finally {
    interrupts.dispose();
    if (jsonStream) out.emit(jsonStream.end());
    out.flush();
    bar.end();
  }
  if (counts.destinations === 0 && given.length === 0) throw new UsageError(counts.badLines ? 'no usable destination (every line was malformed)' : 'no destination given (mxprobe --help)');

  if (baseline && !stats.stopped) changes.push(...vanishedDestinations(baseline, seen!));
  const facts: RunFacts = {
    destinations: stats.destinations, connections: stats.connections, shared: stats.shared, retried: stats.retried,
    elapsedMs: Date.now() - started, badLines: counts.badLines, duplicates: counts.duplicates, notProbed, notProbedCount: stats.notProbed,
    rateLimited: stats.rateLimited, slowedAddresses: stats.slowedAddresses,
    ...(shard && { shard: { index: shard.index, count: shard.count, otherShard: stats.otherShard } }),
  };
  // A shard always says what it kept and what it left to the others.
  const many = tally.results > 1 || stats.stopped || counts.badLines > 0 || shard !== undefined;
  let changeText = '';
  if (baseline) {
    changeText = renderChanges(changes, { color: format === 'table' && color, baselineName: baselineFile?.path });
    if (unknownToBaseline) changeText += `${unknownToBaseline} destination${unknownToBaseline === 1 ? '' : 's'} not in the baseline\n`;
  }
  const warnDays = (v.warnDays as number | undefined) ?? optionDefault<number>('warn-days');
  const critDays = (v.critDays as number | undefined) ?? optionDefault<number>('crit-days');
  const document = (text: string) => (outputFile !== undefined ? writeFileAtomic(outputFile, text) : stdout.write(text));
  if (format === 'json' && !jsonStream) document(toJson(keep));
  // Nagios "long output": lines after the status line are shown as detail.
  else if (format === 'nagios') document(`${renderNagios(keep!, { warnDays, critDays })}${changeText}`);
  // node_exporter's textfile collector reads a whole file: --output makes it appear at once.
  // The document formats are loaded when asked for: a probe's start-up does not pay for them.
  else if (format === 'prometheus') document((await import('../report/prometheus.js')).renderPrometheus(keep!, { runTimestampMs: started }));
  else if (format === 'html') document((await import('../report/html.js')).renderHtml(keep!, { changes: baseline ? changes : undefined, baselineName: baselineFile?.path, warnDays, critDays }));
  else if (format === 'quiet') stdout.write(changeText);
  else if (format === 'table') {
    let tail = '';
    if (keep === null) tail += tally.render({ ...facts, summaryTableLimit: SUMMARY_TABLE_MAX });
    else if (keep.length > 1) tail += `${summaryTable(keep, { color })}${tally.extra(facts).map((l) => `${l}\n`).join('')}`;
    else if (many) tail += tally.render(facts);
    stdout.write(`${tail}${changeText && '\n'}${changeText}`);
  }
  // Machine formats keep stdout machine-readable: the summary and changes go to stderr.
  if ((format === 'json' || format === 'ndjson' || format === 'prometheus' || format === 'html') && (many || baseline)) stderr.write(`${many ? tally.render(facts) : ''}${changeText}`);
  if (stats.stopped || interrupts.interrupted) return EXIT_INTERRUPTED;
  // Everything belonged to other shards: nothing here to judge, and nothing failed.
  if (shard && tally.results === 0) return 0;
  // --fail-on-change: the results keep the server's own status; the change decides the exit code.
  if (v.failOnChange && (changed || changes.length > 0)) return Math.max(exitCodeFor(tally.worst()), 2);
  return exitCodeFor(tally.worst());
}

/** The stream, calling `end` once it has been read to its end. */
async function* withEnd<T>(stream: AsyncIterable<T>, end: () => void): AsyncGenerator<T> {
  yield* stream;
  end();
}

/** What the summary table, nagios and quiet need; the rest is dropped so memory stays flat in the number of targets. */
function summaryOnly(r: ProbeResult): ProbeResult {
  return { ...r, certificates: r.certificates.slice(0, 1).map((c) => ({ ...c, pem: undefined })), smtp: { ...r.smtp, transcript: undefined, replies: [] }, changes: undefined };
}
