// `mxprobe report RUN.ndjson`: a self-contained HTML report of an earlier run (NDJSON or a --json
// array), with the changes since --baseline.
import { UsageError } from '../errors.js';
import { optionDefault } from '../cli-options.js';
import { parseBaseline } from '../baseline.js';
import { compareWithBaseline, readResultsFile } from '../report/html-input.js';
import { renderHtml } from '../report/html.js';
import { writeFileAtomic } from '../report/output-file.js';

type Values = Record<string, unknown>;

export async function runReportCommand(args: string[], v: Values): Promise<number> {
  const [file] = args;
  if (file === undefined) throw new UsageError('a run to report on is required: mxprobe report RUN.ndjson (mxprobe --ndjson … > RUN.ndjson)');
  const results = await readResultsFile(file);
  const baselineFile = v.baseline as { path: string; text: string } | undefined;
  const changes = baselineFile ? compareWithBaseline(results, parseBaseline(baselineFile.text, baselineFile.path)) : undefined;
  const html = renderHtml(results, {
    title: (v.title as string | undefined) ?? optionDefault<string>('title', 'report'),
    changes, baselineName: baselineFile?.path,
    warnDays: (v.warnDays as number | undefined) ?? optionDefault<number>('warn-days'),
    critDays: (v.critDays as number | undefined) ?? optionDefault<number>('crit-days'),
  });
  if (typeof v.output === 'string') writeFileAtomic(v.output, html);
  else process.stdout.write(html);
  return 0;
}
