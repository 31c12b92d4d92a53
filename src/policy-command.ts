// `mxprobe policy FILE`: read a tls_policy source, lint it, probe what each entry names with that
// entry's settings, and say per entry whether Postfix would deliver today. Exit code: the worst
// entry (0 OK, 1 WARNING, 2 CRITICAL); 3 only when the file itself is unusable (missing, a
// binary .db/.lmdb, no entries) or a flag is bad.
import { existsSync, readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { UsageError } from './errors.js';
import { createRunContext, probeAll, type RunContext } from './probe.js';
import { perAddressGate } from './run.js';
import { resolveOptions } from './options.js';
import { readPolicyFile, type PolicyEntry, type PolicyTable } from './policy/table.js';
import { lintPolicy, type LintFinding } from './policy/lint.js';
import { evaluatePolicyEntry, type PolicyVerdict } from './policy/evaluate.js';
import { policyJson, renderLintLines, renderPolicyEntry, renderPolicySummary } from './report/policy.js';
import { useColor } from './report/color.js';
import { exitCodeFor, worstStatus } from './report/status.js';
import type { ProbeOptions } from './types.js';

type Values = Record<string, unknown>;

/** Lints on an entry's lines go with the entry; the rest (skipped lines) belong to the table. */
function splitLint(table: PolicyTable, lint: LintFinding[]): { byEntry: Map<PolicyEntry, LintFinding[]>; orphans: LintFinding[] } {
  const byEntry = new Map<PolicyEntry, LintFinding[]>(table.entries.map((e) => [e, []]));
  const orphans: LintFinding[] = [];
  for (const f of lint) {
    const entry = table.entries.find((e) => f.line >= e.line && f.line <= e.endLine);
    if (entry) byEntry.get(entry)!.push(f);
    else orphans.push(f);
  }
  return { byEntry, orphans };
}

/** tafile= contents by path, for the entries that name one (unreadable files are left out). */
function readTafiles(table: PolicyTable): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of table.entries.flatMap((e) => e.attrs.tafile ?? [])) {
    try {
      out.set(f, readFileSync(f, 'utf8'));
    } catch {
      // lint says "tafile ... does not exist"; the trust store is used instead (a note says so).
    }
  }
  return out;
}

export async function runPolicyCommand(file: string, values: Values, probeOptions: ProbeOptions): Promise<number> {
  const stdout = process.stdout;
  const stderr = process.stderr;
  const json = values.json === true;
  const offline = values.offline === true;
  const color = !json && useColor({ isTTY: stdout.isTTY, env: process.env });
  const domain = typeof values.domain === 'string' ? values.domain : undefined;
  if (domain !== undefined && !/^[a-z0-9_-]+(\.[a-z0-9_-]+)+\.?$/i.test(domain)) throw new UsageError(`--domain: "${domain}" is not a domain name`);
  // Every flag checked before the first packet (the entry's own level and attributes come later).
  if (!offline) resolveOptions({ ...probeOptions, level: 'may' });

  const table = await readPolicyFile(file);
  const lint = lintPolicy(table, { fileExists: existsSync });
  const binary = table.problems.find((p) => p.code === 'binary-data');
  if (binary) {
    stderr.write(renderLintLines(lint.filter((f) => f.code === 'binary-data'), table.source));
    throw new UsageError(`policy file ${file}: not a text file (line ${binary.line} has a NUL byte); give the text source of the map, not the .db/.lmdb/.cdb file`);
  }
  if (table.entries.length === 0) {
    stderr.write(renderLintLines(lint, table.source));
    throw new UsageError(`policy file ${file}: no entries${table.problems.length ? ' that Postfix would read' : ' (empty, or only comments)'}`);
  }

  const { byEntry, orphans } = splitLint(table, lint);
  // Lines Postfix skips are not any entry's business: the table's own findings, first.
  if (orphans.length > 0) (json ? stderr : stdout).write(renderLintLines(orphans, table.source));

  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const base: ProbeOptions = { ...probeOptions, signal: controller.signal };
  const context: RunContext = { ...createRunContext(base), gate: perAddressGate((values.perHost as number | undefined) ?? 2) };
  const limit = pLimit((values.concurrency as number | undefined) ?? 20);
  const tafiles = readTafiles(table);

  // Printed in table order as soon as every earlier entry is done.
  const verdicts: (PolicyVerdict | undefined)[] = new Array(table.entries.length);
  let printed = 0;
  const flush = () => {
    while (printed < verdicts.length && verdicts[printed]) {
      if (!json && !offline) stdout.write(`${renderPolicyEntry(verdicts[printed]!, { color, source: table.source })}\n`);
      printed++;
    }
  };
  await Promise.all(table.entries.map((entry, i) => limit(async () => {
    verdicts[i] = await evaluatePolicyEntry(entry, base, byEntry.get(entry) ?? [], (dest, opts) => probeAll(dest, opts, context), {
      domain, tafiles, defaultPort: values.port as number | undefined, offline: offline || controller.signal.aborted,
    });
    flush();
  })));
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);

  const done = verdicts as PolicyVerdict[];
  if (json) stdout.write(policyJson(done, table.source));
  else {
    if (offline) stdout.write(renderLintLines(done.flatMap((v) => v.lint), table.source));
    stdout.write(renderPolicySummary(done, { color, source: table.source }));
  }
  if (controller.signal.aborted) return 3;
  return exitCodeFor(worstStatus([...done.map((v) => v.status), ...orphans.map((f) => (f.severity === 'info' ? 'ok' as const : f.severity))]));
}
