// Tables for mxprobe: every cell cut to a budget and wrapped by us (fit.ts) before cli-table3 sees
// it, so cli-table3 only draws lines that already fit. Given a multi-line or over-wide cell,
// cli-table3 measures and cuts it character by character on every line it draws (cell.js draw()
// truncates the whole content for a debug message; utils.js truncateWidth() drops one character
// per pass), and it places cells by comparing each with all cells above it (layout-manager.js
// fillInTable()): a 56 KB EHLO reply kept it busy for minutes, a 50,000-row table for a minute
// and a half. Here each drawn line is one cli-table3 cell of one column, word wrap off; the
// column borders inside the line (" │ ") and the rules between rows are ours, and lines go to
// cli-table3 in chunks whose frames are joined: time is linear in what is printed, and one cell
// per line instead of one per column is half of cli-table3's per-cell option merging for the
// default table (bench/README.md). Plain by default (cli-table3 colours headers and borders red
// and grey unless told not to, which would put ANSI into pipes); fixed widths that fit 100
// columns.
import Table from 'cli-table3';
import { budget, padTo, wrap } from './fit.js';

/** Widest line a default table may print. */
export const TABLE_WIDTH = 100;
const PADDING = 2; // one space either side of each cell

/** A cell's text, or a cell spanning the whole row (a section title). */
export type Cell = string | { content: string; colSpan?: number };
export type Row = Cell[];

/**
 * Row sets longer than this (many probes, a baseline diff, a large tls_policy table) are printed
 * as `columnLines`: a boxed table of thousands of rows is no easier to read than aligned columns,
 * and lines can be written as they are made.
 */
export const TABLE_ROWS = 100;

/** Lines per cli-table3 call: its layout is quadratic in the rows of one call. */
const CHUNK_LINES = 96;
// One options object for every chunk (cli-table3 merges it into a copy, never changes it).
const STYLE = { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true };

/** Text width available inside a cell of the given column width. */
export function innerWidth(colWidth: number): number {
  return colWidth - PADDING;
}

/** A cell's text, cut to the budget and wrapped to `width` columns: at least one line. */
export function fitCell(text: string, width: number): string[] {
  const lines = wrap(budget(text), width);
  return lines.length ? lines : [''];
}

export interface TableShape {
  head?: string[];
  /** No rule between rows: sections are set apart by spanning rows instead. */
  compact?: boolean;
}

/** One drawn line: the cells of one physical row, or a spanning cell's line. */
interface Line {
  text: string;
  /** Has inner borders (false: a spanning row). */
  split: boolean;
  /** First line of a pushed row. */
  first: boolean;
}

/**
 * A table whose rendered lines are exactly `sum(colWidths) + colWidths.length + 1` wide, drawn
 * like cli-table3's with these widths. Push rows as to a cli-table3 table: strings, or one
 * spanning cell; a row of a non-compact table that wraps stays one row between rules.
 */
export class FittedTable {
  private readonly lines: Line[] = [];
  private readonly whole: number;
  private rows = 0;

  constructor(private readonly colWidths: number[], private readonly shape: TableShape = {}) {
    this.whole = colWidths.reduce((a, b) => a + b, 0) + colWidths.length - 1;
    if (shape.head) this.add(shape.head);
  }

  /** Rows pushed so far (the head not counted). */
  get length(): number {
    return this.rows;
  }

  push(...rows: Row[]): number {
    for (const row of rows) {
      this.add(row);
      this.rows++;
    }
    return this.rows;
  }

  private add(row: Row): void {
    if (row.length === 1 && typeof row[0] !== 'string') {
      const lines = fitCell(row[0].content, innerWidth(this.whole));
      lines.forEach((text, i) => this.lines.push({ text, split: false, first: i === 0 }));
      return;
    }
    if (row.some((cell) => typeof cell !== 'string')) throw new TypeError('FittedTable: a spanning cell must be the only cell of its row');
    const cells = (row as string[]).map((cell, i) => fitCell(cell, innerWidth(this.colWidths[i])));
    const height = Math.max(...cells.map((c) => c.length));
    const last = this.colWidths.length - 1;
    for (let k = 0; k < height; k++) {
      // Every cell padded to its column, the last one by cli-table3.
      const text = this.colWidths.map((w, i) => (i === last ? cells[i]?.[k] ?? '' : padTo(cells[i]?.[k] ?? '', innerWidth(w)))).join(' │ ');
      this.lines.push({ text, split: true, first: k === 0 });
    }
  }

  toString(): string {
    if (this.lines.length === 0) return '';
    const { head, compact = false } = this.shape;
    const headLines = head ? this.lines.findIndex((l, i) => i > 0 && l.first) : 0;
    const out: string[] = [this.rule('┌', '┐', null, this.lines[0])];
    for (let from = 0; from < this.lines.length; from += CHUNK_LINES) {
      const to = Math.min(this.lines.length, from + CHUNK_LINES);
      const table = new Table({ colWidths: [this.whole], wordWrap: false, style: STYLE });
      for (let i = from; i < to; i++) table.push([this.lines[i].text]);
      const drawn = table.toString().split('\n');
      for (let i = from; i < to; i++) {
        const line = this.lines[i];
        // The rule under the head, and between rows unless compact.
        if (i > 0 && line.first && (i === headLines || !compact)) out.push(this.rule('├', '┤', this.lines[i - 1], line));
        out.push(drawn[1 + i - from]); // drawn[0] is the chunk's own top border
      }
    }
    out.push(this.rule('└', '┘', this.lines[this.lines.length - 1], null));
    return out.join('\n');
  }

  /** A border line: the column joints are where the line above or below has inner borders. */
  private rule(left: string, right: string, above: Line | null, below: Line | null): string {
    const up = above?.split ?? false;
    const down = below?.split ?? false;
    const joint = up && down ? '┼' : up ? '┴' : down ? '┬' : '─';
    return `${left}${this.colWidths.map((w) => '─'.repeat(w)).join(joint)}${right}`;
  }
}

/** A FittedTable with these column widths (and head, and compactness). */
export function makeTable(colWidths: number[], head?: string[], options: { compact?: boolean } = {}): FittedTable {
  return new FittedTable(colWidths, { head, compact: options.compact });
}

/**
 * Rows as plain lines, for row sets too long to box: each column padded to its table width
 * (less the cell padding), two spaces between columns, no borders, the head first. One row at
 * a time, so a caller can write them as they come.
 */
export function* columnLines(colWidths: number[], rows: Iterable<string[]>, head?: string[]): Generator<string> {
  const widths = colWidths.map(innerWidth);
  const last = widths.length - 1;
  const emit = function* (cells: string[]): Generator<string> {
    const fitted = cells.map((cell, i) => fitCell(cell, widths[i]));
    const height = Math.max(...fitted.map((l) => l.length));
    for (let k = 0; k < height; k++) {
      yield fitted.map((l, i) => (i === last ? l[k] ?? '' : padTo(l[k] ?? '', widths[i]))).join('  ').trimEnd();
    }
  };
  if (head) yield* emit(head);
  for (const row of rows) yield* emit(row);
}

/**
 * Rows of a bordered table with a head: a table up to TABLE_ROWS rows, aligned lines beyond
 * (no trailing newline either way).
 */
export function boxedOrLines(colWidths: number[], head: string[], rows: readonly string[][]): string {
  if (rows.length > TABLE_ROWS) return [...columnLines(colWidths, rows, head)].join('\n');
  const table = makeTable(colWidths, head);
  table.push(...rows);
  return table.toString();
}
