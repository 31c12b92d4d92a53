// The command line: argv → which command → its flags (from the option table) → the command's
// module → exit code. Nothing here probes or prints results; src/commands/ call the library and
// the renderers. Every usage error is one line on stderr starting with "mxprobe:" and exits 3.
import { Command, CommanderError, Option } from 'commander';
import { COMMANDS, CLI_OPTIONS, optionsOf, type CliOption, type CommandName } from './cli-options.js';
import { UsageError } from './errors.js';
import { nearest } from './suggest.js';
import { renderError } from './report/messages.js';
import { echo } from './report/sanitize.js';
import { runProbeCommand } from './commands/probe.js';

type Values = Record<string, unknown>;
type Run = (args: string[], values: Values) => Promise<number>;

// Set by the build from package.json (esbuild define); tsc-only runs say "dev".
declare const __MXPROBE_VERSION__: string | undefined;
const MXPROBE_VERSION = typeof __MXPROBE_VERSION__ === 'string' ? __MXPROBE_VERSION__ : 'dev';

interface CommandSpec {
  run: Run;
  summary: string;
  /** Commander's argument spec. */
  args: string;
  argHelp: string;
  usage: string;
}

/**
 * A command whose module is evaluated only when it is the one asked for: esbuild keeps a
 * dynamically imported module lazy. The probe is most runs and is loaded with the CLI.
 */
function lazy<K extends string>(load: () => Promise<Record<K, (args: string[], values: Values) => Promise<number>>>, name: K): Run {
  return async (args, values) => (await load())[name](args, values);
}

const SPECS: Record<CommandName, CommandSpec> = {
  probe: { run: runProbeCommand, summary: 'probe each destination (the default command)', args: '[destinations...]', argHelp: 'destinations (see below)', usage: '[probe] [options] DEST...' },
  policy: { run: lazy(() => import('./commands/policy.js'), 'runPolicyCommand'), summary: 'check every entry of a Postfix tls_policy table against the servers it names', args: '<file>', argHelp: 'text source of the tls_policy map', usage: 'policy [options] FILE' },
  scan: { run: lazy(() => import('./commands/scan.js'), 'runScanCommand'), summary: 'full TLS capability scan of one server (protocols, ciphers, groups, resumption, injection), graded by a profile', args: '<dest>', argHelp: 'one destination (first MX host, first address)', usage: 'scan [options] DEST' },
  postfix: { run: lazy(() => import('./commands/postfix.js'), 'runPostfixCommand'), summary: "this host's Postfix: what main.cf/master.cf configure for each smtpd listener against what it serves, and lint", args: '', argHelp: '', usage: 'postfix [options]' },
  fingerprint: { run: lazy(() => import('./commands/fingerprint.js'), 'runFingerprintCommand'), summary: "certificate and public-key digests in Postfix's format: relay_clientcerts, check_ccert_access and tls_policy match= lines", args: '', argHelp: '', usage: 'fingerprint --cert FILE [options]' },
  serve: { run: lazy(() => import('./commands/serve.js'), 'runServeCommand'), summary: 'Prometheus exporter: GET /probe?target=DEST&module=NAME probes, /metrics', args: '', argHelp: '', usage: 'serve [options]' },
  report: { run: lazy(() => import('./commands/report.js'), 'runReportCommand'), summary: 'self-contained HTML report of a run (NDJSON or JSON), with the changes since --baseline', args: '<run>', argHelp: 'mxprobe --ndjson output (or --json)', usage: 'report [options] RUN.ndjson' },
  tlsrpt: { run: lazy(() => import('./commands/tlsrpt.js'), 'runTlsrptCommand'), summary: 'RFC 8460 TLS reports (JSON or .gz): summary per policy and MX host; --reprobe the failing MX hosts', args: '<reports...>', argHelp: 'report files', usage: 'tlsrpt [options] REPORT.json[.gz]...' },
  demo: { run: lazy(() => import('./commands/demo.js'), 'runDemoCommand'), summary: 'try mxprobe with no network: probe a STARTTLS server started on 127.0.0.1 with a certificate made on the spot', args: '', argHelp: '', usage: 'demo [options]' },
  completion: { run: lazy(() => import('./commands/completion.js'), 'runCompletionCommand'), summary: 'shell completions (bash, zsh, fish) from the option table', args: '<shell>', argHelp: 'bash, zsh or fish', usage: 'completion bash|zsh|fish' },
  tlsa: { run: lazy(() => import('./commands/tlsa.js'), 'runTlsaCommand'), summary: 'print the TLSA records for a certificate (and its issuer) or a key: publish them before a rollover', args: '', argHelp: '', usage: 'tlsa --cert FILE [options]' },
};

const EXIT_HELP = `
Commands:
${COMMANDS.map((c) => `  ${c.padEnd(8)}${SPECS[c].summary}`).join('\n')}
  (mxprobe COMMAND --help for each)

Exit codes (Nagios plugin convention):
  0  OK        every probe met the level
  1  WARNING   worst is a warning (no TLS at level may, certificate expires within --warn-days,
               TLS below --min-tls, AUTH offered before TLS, ...)
  2  CRITICAL  worst is critical (level not met: untrusted, expired, wrong name; connection failed;
               certificate expires within --crit-days; a change under --fail-on-change)
  3  UNKNOWN   usage error, unreadable file, internal error, run interrupted (SIGINT/SIGTERM)

Destinations: example.com (MX lookup, port 25)  example.com:587  [mx.example.com]:587
  [192.0.2.1]:25  [2001:db8::1]:25  inet:...  smtp://host[:port]  smtps://host[:port] (implicit
  TLS, 465)  submission://host[:port] (587)  - (read from stdin). Port 465 means implicit TLS.`;

/** What people who know other tools type for our options (openssl s_client, swaks, posttls-finger). */
const OPTION_SYNONYMS: Readonly<Record<string, string>> = {
  sni: 'servername', tlssni: 'servername', hostname: 'servername', capath: 'ca-file', cafile: 'ca-file',
  tlsverify: 'level', verify: 'level', tlsprotocol: 'protocols', protocol: 'protocols', cipher: 'ciphers',
  helo: 'ehlo', lhlo: 'ehlo', mailfrom: 'from', rcptto: 'to', rcpt: 'to', server: 'port', tlsonconnect: 'implicit',
  wrapper: 'implicit', tlswrapper: 'implicit', debug: 'verbose', showcerts: 'show-certs', connecttimeout: 'connect-timeout',
};

function flagsOf(o: CliOption): string {
  const arg = o.arg ? (o.optionalArg ? ` [${o.arg}]` : ` <${o.arg}>`) : '';
  return `${o.short ? `-${o.short}, ` : ''}--${o.long}${arg}`;
}

function addOption(cmd: Command, o: CliOption): void {
  const def = o.default !== undefined ? ` (default: ${o.default})` : '';
  const option = new Option(flagsOf(o), `${o.description}${def}`);
  if (o.repeat) {
    option.argParser((value: string, previous: unknown[] | undefined) => [...(previous ?? []), o.parse ? o.parse(value) : value]);
  } else if (o.parse) {
    option.argParser((value: string) => o.parse!(value));
  }
  cmd.addOption(option);
}

/** One command's parser, from the option table: it knows exactly the flags this command takes. */
function buildCommand(name: CommandName, onAction: (args: string[], values: Values) => void): Command {
  const spec = SPECS[name];
  const cmd = new Command(name === 'probe' ? 'mxprobe' : `mxprobe ${name}`)
    .description(name === 'probe' ? 'Check what an SMTP server really does with TLS: STARTTLS or implicit TLS, protocol, cipher,\ncertificate chain, trust and name verdicts, and every SMTP reply code.' : spec.summary)
    .usage(spec.usage)
    .exitOverride()
    // Commander's own messages are rewritten in main(): nothing is written here.
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined, writeOut: (s) => process.stdout.write(s) })
    .helpOption('-h, --help', 'show this help');
  if (spec.args) cmd.argument(spec.args, spec.argHelp);
  if (name === 'probe') cmd.version(MXPROBE_VERSION, '-V, --version').addHelpText('after', EXIT_HELP);
  for (const o of optionsOf(name)) addOption(cmd, o);
  cmd.action((...a: unknown[]) => {
    // Commander passes the arguments, then the values, then the command.
    const values = a[a.length - 2] as Values;
    const first = a[0];
    const args = Array.isArray(first) ? (first as string[]) : spec.args ? [first as string] : [];
    onAction(args, values);
  });
  return cmd;
}

/**
 * "--port is not an option of tlsa; it belongs to probe, policy, scan (did you mean --tlsa-port?)",
 * or for a flag no command has, the nearest one this command takes.
 */
function unknownOptionMessage(command: CommandName, flag: string): string {
  const bare = flag.replace(/^--?/, '').replace(/=.*$/, '');
  const elsewhere = CLI_OPTIONS.filter((o) => (o.long === bare || o.short === bare) && !o.commands.includes(command));
  const mine = optionsOf(command).map((o) => o.long);
  const guess = nearest(elsewhere[0]?.long ?? bare, mine.filter((m) => m !== elsewhere[0]?.long), OPTION_SYNONYMS);
  const hint = guess ? ` (did you mean --${guess}?)` : '';
  const shown = elsewhere.length && elsewhere[0].short === bare ? `${echo(flag, 60)} (--${elsewhere[0].long})` : echo(flag, 60);
  if (elsewhere.length > 0) {
    const owners = [...new Set(elsewhere.flatMap((o) => o.commands))].join(', ');
    return `${shown} is not an option of ${command}; it belongs to ${owners}${hint}`;
  }
  return `unknown option '${shown}'${hint}`;
}

/** commander's error, as our one line. */
function commanderMessage(command: CommandName, err: CommanderError): string {
  if (err.code === 'commander.unknownOption') {
    const flag = /'([^']*)'/.exec(err.message)?.[1] ?? err.message;
    return unknownOptionMessage(command, flag);
  }
  return err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
}

/**
 * The command a word names, or null for a destination. A first word that is no destination but
 * within two edits of a command ("scna") is a mistyped command, not a domain to probe.
 */
export function commandOf(word: string | undefined): { command: CommandName } | { typo: string; meant: string } | null {
  if (word === undefined || word.startsWith('-')) return null;
  if ((COMMANDS as readonly string[]).includes(word)) return { command: word as CommandName };
  if (/^[a-z]+$/i.test(word) && word.toLowerCase() !== 'localhost') {
    const meant = nearest(word, COMMANDS);
    if (meant) return { typo: word, meant };
  }
  return null;
}

export async function main(argv: string[]): Promise<number> {
  // A closed stdout (`| head -1`) ends the run quietly; it is not a crash.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const words = argv.slice(2);
  const which = commandOf(words[0]);
  let command: CommandName = 'probe';
  try {
    if (which && 'typo' in which) throw new UsageError(`unknown command '${echo(which.typo, 40)}' — did you mean '${which.meant}'?`);
    if (which) {
      command = which.command;
      words.shift();
    }
    let chosen: { args: string[]; values: Values } | null = null;
    await buildCommand(command, (args, values) => (chosen = { args, values })).parseAsync(words, { from: 'user' });
    if (!chosen) return 0;
    const { args, values } = chosen as { args: string[]; values: Values };
    return await SPECS[command].run(args, values);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every parse error is a usage error.
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      process.stderr.write(renderError(commanderMessage(command, err), command));
      return 3;
    }
    if (err instanceof UsageError) {
      process.stderr.write(renderError(err.message, command));
      return 3;
    }
    process.stderr.write(renderError(`internal error: ${(err as Error)?.message ?? String(err)}`, command));
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
