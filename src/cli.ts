// The command line: argv → options → run → render → exit code. Nothing here
// probes; the library does (src/index.ts). Exit codes follow the Nagios plugin
// convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (usage or internal error).
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { CLI_OPTIONS, parseIntIn, readFromStdin, toProbeOptions, type CliOption } from './cli-options.js';
import { UsageError } from './errors.js';
import { parseDestination, parseDestinationList } from './destination.js';
import { runProbes, uniqueDestinations, type RunStats } from './run.js';
import { diffDestination, failOnChange, vanishedDestinations, type Baseline } from './baseline.js';
import { createProgress } from './progress.js';
import { RunTally, type RunFacts } from './report/run-summary.js';
import { renderChanges } from './report/baseline.js';
import { resolveOptions } from './options.js';
import type { Change, Destination, ProbeResult } from './types.js';
import { exitCodeFor } from './report/status.js';
import { useColor } from './report/color.js';
import { probeTable } from './report/table.js';
import { summaryTable } from './report/summary.js';
import { toJson, toNdjsonLine } from './report/json.js';
import { renderTranscript } from './report/transcript.js';
import { renderPem } from './report/pem.js';
import { renderQuiet } from './report/quiet.js';
import { renderNagios } from './report/nagios.js';
import { runPolicyCommand } from './policy-command.js';
import { runTlsaCommand, tlsaOwner } from './tlsa-command.js';
import { parseProfile, runScanCommand, parsePerHost } from './scan/command.js';

const EXIT_HELP = `
Exit codes (Nagios plugin convention):
  0  OK        every probe met the level
  1  WARNING   worst is a warning (no TLS at level may, certificate expires within --warn-days,
               TLS below --min-tls, AUTH offered before TLS, ...)
  2  CRITICAL  worst is critical (level not met: untrusted, expired, wrong name; connection failed;
               certificate expires within --crit-days)
  3  UNKNOWN   usage error, unreadable file, internal error, run interrupted (SIGINT/SIGTERM)

Destinations: example.com (MX lookup, port 25)  example.com:587  [mx.example.com]:587
  [192.0.2.1]:25  [2001:db8::1]:25  inet:...  smtp://host[:port]  smtps://host[:port] (implicit
  TLS, 465)  submission://host[:port] (587)  - (read from stdin). Port 465 means implicit TLS.`;

type Values = Record<string, unknown>;

// Set by the build from package.json (esbuild define); tsc-only runs say "dev".
declare const __MXPROBE_VERSION__: string | undefined;
const MXPROBE_VERSION = typeof __MXPROBE_VERSION__ === 'string' ? __MXPROBE_VERSION__ : 'dev';

function addOption(cmd: Command, o: CliOption): void {
  const flags = `${o.short ? `-${o.short}, ` : ''}--${o.long}${o.arg ? ` <${o.arg}>` : ''}`;
  const def = o.default !== undefined ? ` (default: ${o.default})` : '';
  const option = new Option(flags, `${o.description}${def}`);
  if (o.repeat) {
    option.argParser((value: string, previous: unknown[] | undefined) => [...(previous ?? []), o.parse ? o.parse(value) : value]);
  } else if (o.parse) {
    option.argParser((value: string) => o.parse!(value));
  }
  cmd.addOption(option);
}

type Format = 'table' | 'json' | 'ndjson' | 'nagios' | 'quiet';

/** Flags that contradict each other are a usage error, not a silent choice. */
function rejectConflicts(args: string[], v: Values): void {
  const formats = [v.format && `--format ${v.format}`, v.json && '--json', v.ndjson && '--ndjson', v.quiet && '-q'].filter(Boolean);
  if (formats.length > 1) throw new UsageError(`${formats.join(' and ')} exclude each other`);
  if (v.ipv4 && v.ipv6) throw new UsageError('-4 and -6 exclude each other');
  if (v.appendCa && v.caFile === undefined) throw new UsageError('--append-ca needs --ca-file FILE');
  const stdinLists = args.filter((a) => a === '-').length + ((v.file as string[] | undefined) ?? []).filter((f) => f === '-').length;
  if (stdinLists > 1 || (stdinLists === 1 && readFromStdin.has('--data'))) throw new UsageError('standard input can be read only once (--data -, a - destination, -f -)');
}

function formatOf(v: Values): Format {
  if (v.format) return v.format as Format;
  if (v.json) return 'json';
  if (v.ndjson) return 'ndjson';
  if (v.quiet) return 'quiet';
  return 'table';
}

/** Destinations from arguments, -f files and stdin ("-"); bad lines are reported, not fatal, unless nothing is usable. */
function collectDestinations(args: string[], v: Values, warn: (line: string) => void): Destination[] {
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
    for (const e of list.errors) warn(`mxprobe: ${name}:${e.line}: ${e.message}`);
    bad += list.errors.length;
    out.push(...list.destinations.map((d) => d.dest));
  }
  if (out.length === 0) throw new UsageError(bad ? 'no usable destination (every line was malformed)' : 'no destination given (mxprobe --help)');
  return out;
}

async function runProbeCommand(args: string[], v: Values): Promise<number> {
  const started = Date.now();
  const { stdout, stderr } = process;
  const color = useColor({ isTTY: stdout.isTTY, env: process.env });
  rejectConflicts(args, v);
  const format = formatOf(v);
  const options = toProbeOptions(v);
  resolveOptions(options); // every flag checked before the first packet
  const baseline = v.baseline as { path: string; baseline: Baseline } | undefined;
  if (v.failOnChange && !baseline) throw new UsageError('--fail-on-change needs --baseline FILE');
  let badLines = 0;
  const listed = collectDestinations(args, v, (line) => {
    badLines++;
    stderr.write(`${line}\n`);
  });
  const { destinations, duplicates } = uniqueDestinations(listed);
  const bar = createProgress({ stream: stderr, total: destinations.length, enabled: v.progress !== false && stderr.isTTY === true });

  // Ctrl-C / SIGTERM: the first stops new probes and lets running ones end within their
  // deadlines; the second aborts them (each still ends as a whole result: no half NDJSON line);
  // a third exits as soon as what was written has drained. An interrupted run exits 3
  // (UNKNOWN): part of the list was never checked, so no verdict on the list can be given.
  const stop = new AbortController();
  const abort = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals++;
    bar.clear();
    if (signals === 1) {
      stop.abort();
      stderr.write('mxprobe: stopping: no new probes; waiting for the running ones (signal again to abort them)\n');
    } else if (signals === 2) {
      abort.abort();
      stderr.write('mxprobe: aborting the running probes\n');
    } else {
      flush();
      stdout.write('', () => process.exit(3));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const tally = new RunTally();
  const keep: ProbeResult[] = [];
  const changes: Change[] = [];
  const seen = new Set<string>();
  let unknownToBaseline = 0;
  const verbose = v.verbose as boolean;
  const showCerts = v.showCerts as boolean;
  // Whole lines, gathered for one write per event-loop turn: with hundreds of probes finishing
  // together, one write syscall per result costs more than the rest of the output path.
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    bar.clear();
    stdout.write(pending);
    pending = '';
  };
  const emit = (text: string) => {
    if (pending === '') setImmediate(flush);
    pending += text;
  };
  const output = (r: ProbeResult) => {
    tally.add(r);
    // So far: what a closed stdout (`| head -1`) exits with (see main).
    process.exitCode = exitCodeFor(tally.worst());
    if (format === 'ndjson') emit(toNdjsonLine(r));
    else if (format === 'table') {
      // Tables stream too: each probe is printed as soon as it is done.
      let text = '';
      if (verbose && r.smtp.transcript) text += renderTranscript(r.smtp.transcript, { color });
      text += probeTable(r, { color });
      if (r.changes?.length) text += renderChanges(r.changes, { color, baselineName: baseline?.path });
      if (showCerts) text += renderPem(r);
      emit(`${text}\n`);
      keep.push(summaryOnly(r));
    } else if (format === 'quiet') emit(renderQuiet([r], { color }));
    else if (format === 'json') keep.push(r);
    else keep.push(summaryOnly(r));
  };
  let stats: RunStats;
  try {
    stats = await runProbes(destinations, { ...options, signal: abort.signal }, {
      concurrency: (v.concurrency as number | undefined) ?? 20,
      perHost: (v.perHost as number | undefined) ?? 2,
      retries: (v.retries as number | undefined) ?? 1,
      retryDelayMs: (v.retryDelay as number | undefined) ?? 1000,
      signal: stop.signal,
      // Without a baseline each result goes out as soon as its host is done; with one, a
      // destination's results go out together, once they can be compared as a set.
      onResult: baseline ? undefined : output,
      onDestination: (dest, results, complete) => {
        seen.add(dest.input);
        if (baseline) {
          if (!diffDestination(baseline.baseline, results, complete)) unknownToBaseline++;
          for (const r of results) {
            changes.push(...(r.changes ?? []));
            if (v.failOnChange) failOnChange(r);
            output(r);
          }
        }
        bar.tick(results.filter((r) => r.status === 'critical' || r.status === 'unknown').length);
      },
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    flush();
    bar.end();
  }

  if (baseline && !stats.stopped) changes.push(...vanishedDestinations(baseline.baseline, seen));
  const facts: RunFacts = {
    destinations: destinations.length, connections: stats.connections, shared: stats.shared, retried: stats.retried,
    elapsedMs: Date.now() - started, badLines, duplicates, notDone: stats.stopped ? destinations.length - stats.completed : 0,
  };
  const many = tally.results > 1 || stats.stopped || badLines > 0;
  let changeText = '';
  if (baseline) {
    changeText = renderChanges(changes, { color: format === 'table' && color, baselineName: baseline.path });
    if (unknownToBaseline) changeText += `${unknownToBaseline} destination${unknownToBaseline === 1 ? '' : 's'} not in the baseline\n`;
  }
  if (format === 'json') stdout.write(`${toJson(keep)}\n`);
  // Nagios "long output": lines after the status line are shown as detail.
  else if (format === 'nagios') stdout.write(`${renderNagios(keep, { warnDays: (v.warnDays as number) ?? 21, critDays: (v.critDays as number) ?? 7 })}${changeText}`);
  else if (format === 'quiet') stdout.write(changeText);
  else if (format === 'table') {
    let tail = '';
    if (keep.length > 1) tail += `${summaryTable(keep, { color })}${tally.extra(facts).map((l) => `${l}\n`).join('')}`;
    else if (many) tail += tally.render(facts);
    stdout.write(`${tail}${changeText && '\n'}${changeText}`);
  }
  // Machine formats keep stdout machine-readable: the summary and changes go to stderr.
  if ((format === 'json' || format === 'ndjson') && (many || baseline)) stderr.write(`${many ? tally.render(facts) : ''}${changeText}`);
  if (stats.stopped) return 3;
  return exitCodeFor(tally.worst());
}

/** What the summary table, nagios and quiet need; the rest is dropped so memory stays flat in the number of targets. */
function summaryOnly(r: ProbeResult): ProbeResult {
  return { ...r, certificates: r.certificates.slice(0, 1).map((c) => ({ ...c, pem: undefined })), smtp: { ...r.smtp, transcript: undefined, replies: [] }, changes: undefined };
}

export function buildProgram(): Command {
  // The program itself is the probe command (the default); policy is a subcommand.
  const program = new Command('mxprobe')
    .description('Check what an SMTP server really does with TLS: STARTTLS or implicit TLS, protocol, cipher,\ncertificate chain, trust and name verdicts, and every SMTP reply code.')
    .usage('[probe] [options] DEST...\n       mxprobe policy [options] FILE')
    .argument('[destinations...]', 'destinations (see below)')
    .version(MXPROBE_VERSION)
    .addHelpText('after', EXIT_HELP)
    .exitOverride()
    // A usage error is one line on stderr: commander puts "(Did you mean --level?)" on a second one.
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => write(`${s.trim().replace(/\s*\n\s*/g, ' ')}\n`) })
    .showSuggestionAfterError(true);
  for (const o of CLI_OPTIONS) addOption(program, o);
  program.action(async (args: string[], values: Values) => {
    process.exitCode = await runProbeCommand(args, values);
  });

  const policyCmd = program
    .command('policy')
    .description('check every entry of a Postfix tls_policy table against the servers it names')
    .argument('<file>', 'text source of the tls_policy map')
    .option('--offline', 'lint only, probe nothing')
    .option('--domain <name>', 'probe .domain pattern entries as this domain')
    .option('--json', 'one JSON object per entry')
    .exitOverride();
  for (const o of CLI_OPTIONS.filter((o) => o.group === 'connection' || ['ca-file', 'append-ca', 'ehlo', 'concurrency', 'per-host'].includes(o.long))) addOption(policyCmd, o);
  policyCmd.action(async (file: string, _local: Values, command: Command) => {
    // The program defines the same flags and commander lets it take them after "policy" too:
    // read both levels, the subcommand's winning.
    const values = command.optsWithGlobals() as Values;
    process.exitCode = await runPolicyCommand(file, values, toProbeOptions(values));
  });

  // scan: every protocol, cipher, group and feature of one server, graded by --profile.
  const scanCmd = program
    .command('scan')
    .description('full TLS capability scan of one server (protocols, ciphers, groups, resumption, injection), graded by a profile')
    .argument('<dest>', 'one destination (first MX host / first address)')
    .addOption(new Option('--profile <name>', 'ncsc, mozilla-intermediate, mozilla-modern (default: ncsc)').argParser(parseProfile))
    .addOption(new Option('--per-host <N>', 'connections at once to the server (default: 4)').argParser(parsePerHost))
    .option('--json', 'the ScanResult as JSON')
    .exitOverride();
  for (const o of CLI_OPTIONS.filter((o) => (o.group === 'connection' && !['mx', 'all-addresses'].includes(o.long)) || ['ehlo', 'servername'].includes(o.long))) addOption(scanCmd, o);
  scanCmd.action(async (dest: string, _local: Values, command: Command) => {
    // Commander lets the program take its own --json/--per-host after "scan": accept them from
    // either level, but never the program's --per-host default (2) in place of scan's (4).
    const local = command.opts() as Values;
    const globals = command.optsWithGlobals() as Values;
    const fromCli = (key: string) => (command.parent?.getOptionValueSource(key) === 'cli' ? globals[key] : undefined);
    process.exitCode = await runScanCommand(dest, { ...globals, perHost: local.perHost ?? fromCli('perHost'), profile: local.profile, json: local.json ?? fromCli('json') });
  });

  // issue 8: TLSA records for a certificate or key (DANE rollover).
  const digit = (flag: string, max: number) => (v: string) => {
    if (!/^\d$/.test(v) || Number(v) > max) throw new UsageError(`${flag} must be 0-${max}, got '${v}'`);
    return Number(v);
  };
  program
    .command('tlsa')
    .description('print the TLSA records for a certificate (and its issuer) or a key: publish them before a rollover')
    .requiredOption('--cert <file>', 'PEM certificate (leaf first, then its chain) or public/private key; - for stdin')
    .addOption(new Option('--usage <n>', 'TLSA usage: 3 DANE-EE (leaf), 2 DANE-TA (issuer); default both').argParser(digit('--usage', 3)))
    .addOption(new Option('--selector <n>', '0 full certificate, 1 public key (default 1)').argParser(digit('--selector', 1)))
    .addOption(new Option('--matching <n>', '0 exact, 1 SHA-256, 2 SHA-512 (default 1)').argParser(digit('--matching', 2)))
    .option('--name <host>', 'print zone-file lines for _PORT._tcp.HOST (or a full _25._tcp.… owner name)')
    .addOption(new Option('--tlsa-port <port>', 'port of the TLSA owner name (default 25)').argParser(parseIntIn('--tlsa-port', 1, 65535)))
    .option('--json', 'JSON array of records')
    .exitOverride()
    .action((_local: Values, command: Command) => {
      // --json is also a program flag, which commander gives to the program: read both levels.
      const values = command.optsWithGlobals() as Values;
      process.exitCode = runTlsaCommand({
        cert: values.cert as string, usage: values.usage as number | undefined, selector: values.selector as number | undefined,
        matching: values.matching as number | undefined, name: tlsaOwner(values.name as string | undefined, values.tlsaPort as number | undefined), json: values.json as boolean | undefined,
      });
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // A closed stdout (`| head -1`) ends the run quietly; it is not a crash.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  try {
    // `mxprobe probe DEST` is the same as `mxprobe DEST`.
    const args = argv[2] === 'probe' ? [...argv.slice(0, 2), ...argv.slice(3)] : argv;
    await buildProgram().parseAsync(args);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every parse error is a usage error (commander printed it).
      return err.exitCode === 0 ? 0 : 3;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`mxprobe: ${err.message}\n`);
      return 3;
    }
    process.stderr.write(`mxprobe: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    if (process.env.MXPROBE_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    return 3;
  }
}

// Bundled as dist/cli.cjs and run by bin/mxprobe.js (through V8's code cache).
// Exit as soon as stdout has drained: nothing is left to wait for, and a
// lingering socket's close must not keep a finished probe alive.
main(process.argv).then((code) => {
  process.stdout.write('', () => process.exit(code));
});
