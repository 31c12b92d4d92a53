// A tiny ANSI palette. Colour is decided once, by the caller, from facts it passes in
// (DESIGN.md "Output": colour only on a TTY with NO_COLOR unset; never ANSI in pipes or files).
import type { Status } from '../types.js';

export interface ColorContext {
  isTTY: boolean | undefined;
  env: Record<string, string | undefined>;
}

/**
 * True only when stdout is a TTY, NO_COLOR is not set to a non-empty value (no-color.org: an
 * empty NO_COLOR does not count) and TERM is not "dumb".
 */
export function useColor({ isTTY, env }: ColorContext): boolean {
  if (isTTY !== true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return true;
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
} as const;

export type StyleName = keyof typeof CODES;
export type Palette = Record<StyleName, (text: string) => string> & {
  status: (status: Status, text: string) => string;
};

const STATUS_STYLE: Record<Status, StyleName> = { ok: 'green', warning: 'yellow', critical: 'red', unknown: 'magenta' };

/** Style functions that wrap text in ANSI codes when `enabled`, and return it untouched otherwise. */
export function palette(enabled: boolean): Palette {
  const make = (name: StyleName) => (text: string) =>
    enabled && text !== '' ? `\u001b[${CODES[name][0]}m${text}\u001b[${CODES[name][1]}m` : text;
  const p = Object.fromEntries(Object.keys(CODES).map((k) => [k, make(k as StyleName)])) as Record<
    StyleName,
    (text: string) => string
  >;
  return { ...p, status: (status, text) => p[STATUS_STYLE[status]](text) };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Removes the SGR sequences this module writes (for width math and tests). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}
