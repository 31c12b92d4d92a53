// `mxprobe demo`: the demo server probed (src/demo/), printed by the probe's own renderers; the
// exit code is the probe's.
import { optionDefault, toProbeOptions } from '../cli-options.js';
import { runDemo } from '../demo/index.js';
import { useColor } from '../report/color.js';
import { probeTable } from '../report/table.js';
import { toJson, toNdjsonLine } from '../report/json.js';
import { renderTranscript } from '../report/transcript.js';
import { renderPem } from '../report/pem.js';
import { renderQuiet } from '../report/quiet.js';
import { renderNagios } from '../report/nagios.js';
import { outputFormat } from './format.js';
import { exitCodeFor } from './process.js';

type Values = Record<string, unknown>;

export async function runDemoCommand(_args: string[], v: Values): Promise<number> {
  const format = outputFormat(v);
  const color = useColor({ isTTY: process.stdout.isTTY, env: process.env });
  const r = await runDemo(toProbeOptions(v, 'demo'));
  let text: string;
  if (format === 'json') text = toJson([r]);
  else if (format === 'ndjson') text = toNdjsonLine(r);
  else if (format === 'quiet') text = renderQuiet([r], { color });
  else if (format === 'nagios') text = renderNagios([r], { warnDays: optionDefault<number>('warn-days'), critDays: optionDefault<number>('crit-days') });
  else {
    text = '';
    if (v.verbose && r.smtp.transcript) text += renderTranscript(r.smtp.transcript, { color });
    text += probeTable(r, { color });
    if (v.showCerts) text += renderPem(r);
  }
  process.stdout.write(text);
  return exitCodeFor(r.status);
}
