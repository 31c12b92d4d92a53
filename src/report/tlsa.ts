// `mxprobe tlsa` output: zone-file lines (with --name) or bare records, each with a comment
// saying which certificate or key it describes; --json an array of records.
import type { TlsaLine } from '../dane/tlsa-records.js';
import { USAGE_NAMES } from '../dane/tlsa.js';
import { toJson } from './json.js';
import { clean } from './text.js';

export function renderTlsa(lines: TlsaLine[], o: { name?: string; json?: boolean }): string {
  if (o.json) return toJson(lines.map((l) => ({ ...l, name: o.name ?? null, text: `${l.usage} ${l.selector} ${l.matchingType} ${l.data}` })));
  return lines.map((l) => {
    const rr = `${l.usage} ${l.selector} ${l.matchingType} ${l.data}`;
    const comment = `; ${USAGE_NAMES[l.usage] ?? `usage ${l.usage}`} ${clean(l.source)}`;
    return o.name ? `${clean(o.name).replace(/\.?$/, '.')} IN TLSA ${rr} ${comment}` : `${rr} ${comment}`;
  }).join('\n') + '\n';
}
