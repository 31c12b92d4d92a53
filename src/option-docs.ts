// The option tables of docs/, generated from the option table (src/cli-options.ts) the way
// src/manpage.ts generates the man page, so the manual can never drift from the parser. A docs
// file asks for a command's table between two markers:
//   <!-- options:scan -->
//   … generated, replaced on every run of `node scripts/readme-options.mjs` …
//   <!-- /options:scan -->
// test/docs.test.ts fails when a table in docs/ is not what this module writes.
import { COMMANDS, optionsOf, type CliOption, type CommandName, type OptionGroup } from './cli-options.js';

const GROUP_TITLES: Record<OptionGroup, string> = {
  connection: 'Connection', tls: 'TLS: what to offer and what to verify', smtp: 'SMTP conversation', auth: 'Submission: AUTH and client certificates',
  verdict: 'Verdict', output: 'Output', run: 'Many destinations', policy: 'policy', scan: 'scan', postfix: 'postfix',
  tlsa: 'Certificates and keys', serve: 'Exporter', report: 'Report', tlsrpt: 'TLS reports',
};

/** A table cell: pipes escaped (GitHub ends a cell at an unescaped `|`, even inside backticks). */
const cell = (text: string): string => text.replace(/\|/g, '\\|');

function flag(o: CliOption): string {
  const arg = o.arg ? (o.optionalArg ? ` [${o.arg}]` : ` ${o.arg}`) : '';
  return `${o.short ? `\`-${o.short}\`, ` : ''}\`--${o.long}${arg}\``;
}

function row(o: CliOption): string {
  const def = o.default === undefined ? '' : `\`${o.default}\``;
  return `| ${cell(flag(o))} | ${cell(def)} | ${cell(o.description)}${o.repeat && !o.description.includes('repeatable') ? ' (repeatable)' : ''} |`;
}

/**
 * One command's options as Markdown: one table when they share a group, else a table per group
 * under a bold title, in the option table's order.
 */
export function optionTable(command: CommandName): string {
  const options = optionsOf(command);
  if (options.length === 0) return '(no options besides `-h`, `--help`)';
  const groups = [...new Set(options.map((o) => o.group))];
  const table = (list: CliOption[]) => ['| option | default | what it does |', '|---|---|---|', ...list.map(row)].join('\n');
  if (groups.length === 1) return table(options);
  return groups.map((g) => `**${GROUP_TITLES[g]}**\n\n${table(options.filter((o) => o.group === g))}`).join('\n\n');
}

const BLOCK = /(<!-- options:([a-z-]+) -->\n)(?:[\s\S]*?\n)?(<!-- \/options:\2 -->)/g;

/** The commands whose tables a Markdown text asks for, in order. */
export function tablesIn(markdown: string): CommandName[] {
  return [...markdown.matchAll(BLOCK)].map((m) => m[2] as CommandName);
}

/** The text with every marked block regenerated; an unknown command name throws. */
export function fillOptionTables(markdown: string): string {
  return markdown.replace(BLOCK, (_all, open: string, name: string, close: string) => {
    if (!(COMMANDS as readonly string[]).includes(name)) throw new Error(`<!-- options:${name} -->: no such command (one of ${COMMANDS.join(', ')})`);
    return `${open}${optionTable(name as CommandName)}\n${close}`;
  });
}
