// mxprobe(1), generated from the option table at build time (scripts/build.mjs writes
// dist/mxprobe.1, which package.json's "man" installs): the synopsis, every command and each
// command's options with their defaults, the exit codes. Pure roff out (man(7) macros).
import { COMMANDS, optionsOf, type CliOption, type CommandName } from './cli-options.js';

const SUMMARIES: Record<CommandName, string> = {
  probe: 'probe each destination (the default command): TLS, certificate chain, trust and name verdicts, SMTP replies',
  policy: 'check every entry of a Postfix tls_policy table against the servers it names',
  scan: 'full TLS capability scan of one server, graded by a profile',
  postfix: "this host's Postfix: configured listeners against what they serve, and lint",
  tlsa: 'TLSA records for a certificate or key (DANE rollover)',
  fingerprint: "certificate and public-key digests in Postfix's format",
  serve: 'Prometheus exporter (GET /probe?target=DEST&module=NAME, /metrics)',
  report: 'self-contained HTML report of a run',
  tlsrpt: 'RFC 8460 TLS reports: summary, and re-probe the failing MX hosts',
  demo: 'try mxprobe with no network: probe a STARTTLS server it starts on 127.0.0.1, with a certificate made on the spot',
  completion: 'shell completions (bash, zsh, fish)',
};

/** Text for roff: backslashes and hyphens escaped, a leading dot or quote protected. */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1')
    // groff reads ASCII: anything else as a named glyph (groff_char(7)).
    .replace(/[^\x00-\x7f]/g, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

function optionItem(o: CliOption): string {
  const arg = o.arg ? (o.optionalArg ? ` [\\fI${roff(o.arg)}\\fR]` : ` \\fI${roff(o.arg)}\\fR`) : '';
  const names = `${o.short ? `\\fB\\-${o.short}\\fR, ` : ''}\\fB\\-\\-${roff(o.long)}\\fR${arg}`;
  const def = o.default !== undefined ? ` (default: ${roff(String(o.default))})` : '';
  return `.TP\n${names}\n${roff(o.description)}${def}.`;
}

export function manPage(version: string, date = new Date()): string {
  const day = date.toISOString().slice(0, 10);
  const commands = COMMANDS.map((c) => `.TP\n\\fBmxprobe ${c === 'probe' ? '[probe]' : c}\\fR\n${roff(SUMMARIES[c])}.`).join('\n');
  const options = COMMANDS.map((c) => `.SS ${c}\n${optionsOf(c).map(optionItem).join('\n')}`).join('\n');
  return `.TH MXPROBE 1 "${day}" "mxprobe ${roff(version)}" "User Commands"
.SH NAME
mxprobe \\- TLS verification probe for SMTP servers
.SH SYNOPSIS
.B mxprobe
[\\fBprobe\\fR] [\\fIoptions\\fR] \\fIDEST\\fR...
.br
.B mxprobe
\\fICOMMAND\\fR [\\fIoptions\\fR] ...
.SH DESCRIPTION
mxprobe connects to an SMTP server, speaks SMTP, upgrades the same socket with STARTTLS (or opens
implicit TLS on port 465), and reports the negotiated protocol, cipher and key exchange, the
certificate chain as served, whether the chain is trusted and names the host, and every SMTP
reply code. It judges with Postfix's security levels (none, may, encrypt, fingerprint, dane,
dane\\-only, verify, secure): OK means a Postfix client at that level would deliver.
.PP
Destinations: \\fIexample.com\\fR (MX lookup, port 25), \\fIexample.com:587\\fR,
\\fI[mx.example.com]:587\\fR (that host, no MX lookup), \\fI[192.0.2.1]:25\\fR,
\\fIsmtp://host[:port]\\fR, \\fIsmtps://host[:port]\\fR (implicit TLS, 465),
\\fIsubmission://host[:port]\\fR (587), \\fI\\-\\fR (read from standard input).
.SH COMMANDS
${commands}
.SH OPTIONS
Each command takes exactly the options listed for it; any other option is a usage error.
${options}
.SH EXIT STATUS
.TP
.B 0
OK: every probe met the level.
.TP
.B 1
WARNING: the worst finding is a warning (no TLS at level may, certificate expires within
\\-\\-warn\\-days, ...).
.TP
.B 2
CRITICAL: the level is not met (untrusted, expired, wrong name, no STARTTLS at encrypt and above),
the connection failed, or something changed under \\-\\-fail\\-on\\-change.
.TP
.B 3
UNKNOWN: usage error, unreadable file, internal error, interrupted run, or a server that could not
be checked (rate\\-limited).
.SH ENVIRONMENT
.TP
.B MXPROBE_AUTH_PASSWORD
password for \\-\\-auth (never taken from the command line).
.TP
.B NO_COLOR
no colour even on a terminal.
.SH SEE ALSO
.BR posttls\\-finger (1),
.BR openssl\\-s_client (1),
.BR postconf (5),
.BR swaks (1)
`;
}
