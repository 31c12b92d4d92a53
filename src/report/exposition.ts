// Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
// `# HELP` and `# TYPE` once per family, then the family's samples together (a family split in
// two, or a repeated label set, fails the whole scrape). Label values come from servers
// (certificate subjects, hosts from DNS): each is escaped here, whatever its origin.
import { clean } from './sanitize.js';

export type MetricType = 'gauge' | 'counter' | 'untyped';
export type Labels = Record<string, string | number | null | undefined>;

export interface Sample {
  labels: Labels;
  value: number;
  /** Suffix for summary/histogram parts ("_sum", "_count"); absent for plain samples. */
  suffix?: string;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType | 'summary';
  samples: Sample[];
}

// Lone UTF-16 surrogates cannot be written as UTF-8: Prometheus rejects the scrape.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/**
 * A label value as the exposition format wants it: \\, \" and \n escaped, nothing raw left.
 * Controls other than LF (which has its escape), DEL, C1, bidi and invisible characters are
 * legal in the format, but a terminal showing the file (curl, promtool) would act on them and a
 * dashboard would reorder them: the one sanitizer (sanitize.ts clean) writes them as `\x1b` /
 * `\u202e` text, each line on its own.
 */
export function escapeLabelValue(value: string): string {
  return value
    .replace(LONE_SURROGATE, '\uFFFD')
    .split('\n')
    .map(clean)
    .join('\n')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}

/** HELP text: only \\ and \n are escaped (the format's rule for docstrings). */
export function escapeHelp(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(labels: Labels): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k)) throw new Error(`invalid label name ${k}`); // a bug here, never input
    parts.push(`${k}="${escapeLabelValue(v == null ? '' : String(v))}"`);
  }
  return parts.length ? `{${parts.join(',')}}` : '';
}

/** The families as exposition text; a sample whose name and labels were already written is dropped. */
export function renderFamilies(families: Iterable<MetricFamily>): string {
  const out: string[] = [];
  for (const f of families) {
    if (f.samples.length === 0) continue;
    if (!METRIC_NAME.test(f.name)) throw new Error(`invalid metric name ${f.name}`);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const seen = new Set<string>();
    for (const s of f.samples) {
      const series = `${f.name}${s.suffix ?? ''}${labelText(s.labels)}`;
      if (seen.has(series)) continue;
      seen.add(series);
      out.push(`${series} ${formatValue(s.value)}`);
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
