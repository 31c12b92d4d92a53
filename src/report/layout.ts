// cli-table3 set up for mxprobe: plain by default (cli-table3 colours headers and borders red
// and grey unless told not to, which would put ANSI into pipes), fixed widths that fit
// 100 columns, word wrap on.
import Table from 'cli-table3';

/** Widest line a default table may print. */
export const TABLE_WIDTH = 100;
const PADDING = 2; // one space either side of each cell

export type Row = Table.Cell[];

/** A table whose rendered lines are exactly `sum(colWidths) + colWidths.length + 1` wide. */
export function makeTable(colWidths: number[], head?: string[], options: { compact?: boolean } = {}): Table.Table {
  return new Table({
    ...(head ? { head } : {}),
    colWidths,
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: options.compact ?? false },
  });
}

/** Text width available inside a cell of the given column width. */
export function innerWidth(colWidth: number): number {
  return colWidth - PADDING;
}
