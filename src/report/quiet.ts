// -q: the verdict line of each probe and nothing else.
import type { ProbeResult } from '../types.js';
import { verdictLine } from './verdict.js';

export function renderQuiet(results: readonly ProbeResult[], options: { color: boolean }): string {
  return results.map((r) => `${verdictLine(r, options)}\n`).join('');
}
