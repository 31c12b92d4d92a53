// The "changes" section of --baseline: one row per change, before → after, within 100 columns.
//
//   changes since baseline.json (3)
//   ┌──────────────┬────────────────────────────┬──────────┬─────────────────────────────────────┐
//   │ destination  │ host[address]:port         │ change   │ before → after                      │
//   ├──────────────┼────────────────────────────┼──────────┼─────────────────────────────────────┤
//   │ example.com  │ mx1.example.com[192.0.2.1… │ protocol │ TLSv1.2 → TLSv1.3                   │
import type { Change } from '../types.js';
import { palette } from './color.js';
import { boxedOrLines } from './layout.js';
import { clean, hostLabel } from './text.js';

// destination, target, kind, before → after: 95 + 5 borders = 100 columns
// ("destination-removed", the longest kind, is 19 wide).
const WIDTHS = [18, 24, 21, 32];
const HEAD = ['destination', 'host[address]:port', 'change', 'before → after'];

export interface ChangesOptions {
  color: boolean;
  /** Shown in the title ("changes since PREV.json"). */
  baselineName?: string;
}

/** The section, or one line saying there were none; more than TABLE_ROWS changes as lines. */
export function renderChanges(changes: readonly Change[], options: ChangesOptions): string {
  const c = palette(options.color);
  const since = options.baselineName ? ` since ${clean(options.baselineName)}` : ' since the baseline';
  if (changes.length === 0) return `no changes${since}\n`;
  const rows = changes.map((ch) => [
    clean(ch.destination),
    ch.kind === 'destination-removed' ? '-' : hostLabel(ch),
    ch.kind,
    changeText(ch),
  ]);
  return `changes${since} (${changes.length})\n${boxedOrLines(WIDTHS, HEAD.map((h) => c.bold(h)), rows)}\n`;
}

/** "TLSv1.2 → TLSv1.3", "+AUTH PLAIN, -SIZE 10240000", "3F:A2:19:0C… → 77:01:BE:42…". */
export function changeText(ch: Change): string {
  const one = (v: string | string[] | null) => (v === null ? 'none' : Array.isArray(v) ? v.join(', ') : clean(v));
  switch (ch.kind) {
    case 'leaf':
      return `${short(ch.before)} → ${short(ch.after)}`;
    case 'chain': {
      const list = (v: string | string[] | null) => (Array.isArray(v) && v.length ? v.map((f) => short(f)).join(' ') : 'leaf only');
      return `${list(ch.before)} → ${list(ch.after)}`;
    }
    case 'expiry':
      return `${day(ch.before)} → ${day(ch.after)}`;
    case 'ehlo-tls': {
      const before = new Set(Array.isArray(ch.before) ? ch.before : []);
      const after = new Set(Array.isArray(ch.after) ? ch.after : []);
      const parts = [...[...after].filter((k) => !before.has(k)).map((k) => `+${k}`), ...[...before].filter((k) => !after.has(k)).map((k) => `-${k}`)];
      return parts.map(clean).join(', ');
    }
    case 'status':
      return `${one(ch.before).toUpperCase()} → ${one(ch.after).toUpperCase()}`;
    case 'host-added':
    case 'address-added':
      return `new: ${one(ch.after)}`;
    case 'host-removed':
    case 'address-removed':
    case 'destination-removed':
      return `gone: ${one(ch.before)}`;
    default:
      return `${one(ch.before)} → ${one(ch.after)}`;
  }
}

/** The first four bytes of a colon-hex fingerprint, enough to tell certificates apart on screen. */
function short(v: string | string[] | null): string {
  if (typeof v !== 'string') return 'none';
  const bytes = v.split(':');
  return bytes.length > 4 ? `${bytes.slice(0, 4).join(':')}…` : clean(v);
}

function day(v: string | string[] | null): string {
  return typeof v === 'string' ? clean(v.slice(0, 10)) : 'none';
}
