// The output options mean the same in every command that prints results (probe, policy, scan):
// --format table|json|ndjson|nagios|quiet, and --json, --ndjson, -q as its short forms.
import { UsageError } from '../errors.js';
import type { PROBE_FORMATS } from '../cli-options.js';

export type Format = (typeof PROBE_FORMATS)[number];

/** The one format the flags ask for; two of them at once is a usage error, not a silent choice. */
export function outputFormat(v: Record<string, unknown>): Format {
  const given = [v.format && `--format ${String(v.format)}`, v.json && '--json', v.ndjson && '--ndjson', v.quiet && '-q'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} exclude each other`);
  if (v.format) return v.format as Format;
  if (v.json) return 'json';
  if (v.ndjson) return 'ndjson';
  if (v.quiet) return 'quiet';
  return 'table';
}
