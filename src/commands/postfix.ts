// `mxprobe postfix`: this host's Postfix — what main.cf/master.cf promise for each smtpd listener
// against what the listener serves (checkPostfix), plus lint. Exit code: the report's status.
import { UsageError } from '../errors.js';
import { checkPostfix } from '../postfix/index.js';
import type { Level } from '../types.js';
import { postfixJson, postfixVerdictLine, renderPostfix } from '../report/postfix.js';
import { toNdjsonLine } from '../report/json.js';
import { statusWord } from '../report/status.js';
import { palette, useColor } from '../report/color.js';
import { outputFormat } from './format.js';
import { EXIT_INTERRUPTED, exitCodeFor, handleInterrupts } from './process.js';

type Values = Record<string, unknown>;

export async function runPostfixCommand(_args: string[], v: Values): Promise<number> {
  const { stdout, stderr } = process;
  const format = outputFormat(v);
  const interrupts = handleInterrupts({ stderr, running: () => 0, noun: 'listener probes', exitNow: () => stdout.write('', () => process.exit(EXIT_INTERRUPTED)) });
  try {
    const report = await checkPostfix({
      configDir: v.configDir as string | undefined,
      hosts: v.host as string[] | undefined,
      offline: v.offline === true,
      postfixVersion: v.postfixVersion as string | undefined,
      // commander: --postconf PATH is a string; --no-postconf sets it false.
      postconf: typeof v.postconf === 'string' || v.postconf === false ? (v.postconf as string | false) : undefined,
      caFile: v.caFile as string | undefined,
      level: v.level as Level | undefined,
      warnDays: v.warnDays as number | undefined,
      critDays: v.critDays as number | undefined,
      ehlo: v.ehlo as string | undefined,
      connectTimeoutMs: v.connectTimeout as number | undefined,
      timeoutMs: v.timeout as number | undefined,
      tlsTimeoutMs: v.tlsTimeout as number | undefined,
      signal: AbortSignal.any([interrupts.stop, interrupts.abort]),
    });
    const color = useColor({ isTTY: stdout.isTTY, env: process.env });
    if (format === 'json') stdout.write(postfixJson(report));
    else if (format === 'ndjson') stdout.write(toNdjsonLine(report));
    else if (format === 'quiet') stdout.write(`${postfixVerdictLine(report, palette(color))}\n`);
    else if (format === 'nagios') stdout.write(`SMTP-TLS-POSTFIX ${statusWord(report.status)} - ${postfixVerdictLine(report).replace(/^\S+ /, '').replace(/\|/g, '/')}\n`);
    else stdout.write(renderPostfix(report, { color }));
    return interrupts.interrupted ? EXIT_INTERRUPTED : exitCodeFor(report.status);
  } finally {
    interrupts.dispose();
  }
}
