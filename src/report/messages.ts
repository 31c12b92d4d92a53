// Messages on stderr: one line each, starting with "mxprobe:", every outside string in them
// made safe and bounded by the sanitizer (a malformed list line is echoed, never replayed).
import { clean } from './sanitize.js';

/** "mxprobe: MESSAGE" for a usage error or a fatal problem. Messages quote outside text with `echo`. */
export function renderError(message: string, command?: string): string {
  return `mxprobe${command && command !== 'probe' ? ` ${command}` : ''}: ${clean(message.replace(/\s*\n\s*/g, ' '))}\n`;
}

/** "mxprobe: FILE:LINE: MESSAGE" for a line of a list that was skipped. */
export function renderUsageWarning(source: string, line: number, message: string): string {
  return `mxprobe: ${clean(source)}:${line}: ${clean(message)}\n`;
}

/** The notice for a STARTTLS port that has not greeted us after a few seconds. */
export function renderSilentGreeting(host: string, address: string, port: number, bannerTimeoutMs: number): string {
  const where = host === address ? `[${clean(address)}]:${port}` : `${clean(host)}[${clean(address)}]:${port}`;
  return `mxprobe: ${where} has sent no SMTP greeting yet; waiting up to ${Math.round(bannerTimeoutMs / 1000)} s. An implicit-TLS port (smtps, usually 465) waits for TLS first: use --implicit or smtps://HOST:${port}\n`;
}
