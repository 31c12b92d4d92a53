// `mxprobe policy FILE`: read a tls_policy source, lint it, probe what each entry names with that
// entry's settings (checkPolicy, through the run engine), and say per entry whether Postfix would
// deliver today. Exit code: the worst entry (0 OK, 1 WARNING, 2 CRITICAL); 3 when the file itself
// is unusable (missing, a binary .db/.lmdb, no entries), a flag is bad, or the run was interrupted.
import { UsageError } from '../errors.js';
import { toProbeOptions } from '../cli-options.js';
import { newRunStats } from '../run.js';
import { checkPolicy } from '../policy/check.js';
import { readPolicyFile } from '../policy/table.js';
import { lintPolicy } from '../policy/lint.js';
import { createProgress } from '../progress.js';
import type { PolicyVerdict } from '../policy/evaluate.js';
import { policyJsonEntry, renderLintLines, renderPolicyEntry, renderPolicyNagios, renderPolicyQuiet, renderPolicySummary } from '../report/policy.js';
import { toJson, toNdjsonLine } from '../report/json.js';
import { useColor } from '../report/color.js';
import { worstStatus } from '../status.js';
import { quoted } from '../report/sanitize.js';
import { outputFormat } from './format.js';
import { batchedWriter } from './writer.js';
import { runOptionsFrom } from './run-options.js';
import { EXIT_INTERRUPTED, exitCodeFor, handleInterrupts } from './process.js';

type Values = Record<string, unknown>;

export async function runPolicyCommand(args: string[], v: Values): Promise<number> {
  const [file] = args;
  const { stdout, stderr } = process;
  const format = outputFormat(v);
  const offline = v.offline === true;
  const color = format === 'table' && useColor({ isTTY: stdout.isTTY, env: process.env });
  const domain = typeof v.domain === 'string' ? v.domain : undefined;
  if (domain !== undefined && !/^[a-z0-9_-]+(\.[a-z0-9_-]+)+\.?$/i.test(domain)) throw new UsageError(`--domain: ${quoted(domain, 80)} is not a domain name`);
  if (v.ipv4 && v.ipv6) throw new UsageError('-4 and -6 exclude each other');

  const table = await readPolicyFile(file);
  const binary = table.problems.find((p) => p.code === 'binary-data');
  if (binary) {
    stderr.write(renderLintLines(lintPolicy(table).filter((f) => f.code === 'binary-data'), table.source));
    throw new UsageError(`policy file ${quoted(file, 120)}: not a text file (line ${binary.line} has a NUL byte); give the text source of the map, not the .db/.lmdb/.cdb file`);
  }
  if (table.entries.length === 0) {
    stderr.write(renderLintLines(lintPolicy(table), table.source));
    throw new UsageError(`policy file ${quoted(file, 120)}: no entries${table.problems.length ? ' that Postfix would read' : ' (empty, or only comments)'}`);
  }

  const machine = format === 'json' || format === 'ndjson';
  const stats = newRunStats();
  const bar = createProgress({ stream: stderr, total: table.entries.length, enabled: !offline && v.progress !== false && stderr.isTTY === true });
  const out = batchedWriter(stdout, () => bar.clear());
  const interrupts = handleInterrupts({
    stderr, running: () => stats.running, beforeMessage: () => bar.clear(),
    exitNow: () => {
      out.flush();
      stdout.write('', () => process.exit(EXIT_INTERRUPTED));
    },
  });
  const done: PolicyVerdict[] = [];
  const onVerdict = (verdict: PolicyVerdict) => {
    done.push(verdict);
    bar.tick(verdict.status === 'critical' || verdict.status === 'unknown' ? 1 : 0);
    if (format === 'ndjson') out.emit(toNdjsonLine(policyJsonEntry(verdict, table.source)));
    else if (format === 'table' && !offline) out.emit(`${renderPolicyEntry(verdict, { color, source: table.source })}\n`);
    else if (format === 'quiet') out.emit(renderPolicyQuiet(verdict, { color, source: table.source }));
  };
  let check;
  try {
    check = await checkPolicy(table, { ...toProbeOptions(v, 'policy'), signal: interrupts.abort }, {
      offline, domain, defaultPort: v.port as number | undefined,
      ...(await runOptionsFrom(v, 'policy')),
      signal: interrupts.stop,
      stats,
      onVerdict,
    });
  } finally {
    interrupts.dispose();
    out.flush();
    bar.end();
  }

  // Lines Postfix skips are not any entry's business: the table's own findings, on stderr for
  // machine formats so stdout stays parseable.
  if (check.tableLint.length > 0) (machine ? stderr : stdout).write(renderLintLines(check.tableLint, table.source));
  if (format === 'json') stdout.write(toJson(done.map((d) => policyJsonEntry(d, table.source))));
  else if (format === 'nagios') stdout.write(renderPolicyNagios(done, table.source));
  else if (format === 'table') {
    if (offline) stdout.write(renderLintLines(done.flatMap((d) => d.lint), table.source));
    stdout.write(renderPolicySummary(done, { color, source: table.source }));
  }
  if (check.stats.stopped || interrupts.interrupted) return EXIT_INTERRUPTED;
  return exitCodeFor(worstStatus([...done.map((d) => d.status), ...check.tableLint.map((f) => (f.severity === 'info' ? 'ok' as const : f.severity))]));
}
