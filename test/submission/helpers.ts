// Probing with the submission options (AUTH, client certificate, REQUIRETLS, relay comparison).
// probeSubmission() resolves them the way resolveOptions() will once it spreads
// resolveSubmissionOptions() in, and runs the one connection through probeConnection(), the
// same path probe() takes. Password sources are passed as `env`, never read from this process.
import { parseDestination } from '../../src/destination.js';
import { resolveOptions } from '../../src/options.js';
import { probeConnection, type ConnectionTarget } from '../../src/probe-target.js';
import { resolveSubmissionOptions } from '../../src/submission-options.js';
import type { ProbeOptions, ProbeResult } from '../../src/types.js';

export async function probeSubmission(destination: string, options: ProbeOptions, env: Record<string, string | undefined> = {}): Promise<ProbeResult> {
  const o = { ...resolveOptions(options), ...resolveSubmissionOptions(options, env) };
  const dest = parseDestination(destination, { starttls: o.starttls, implicit: o.implicit });
  const target: ConnectionTarget = {
    destination, nexthop: dest.host, mx: null, host: dest.host, address: dest.host, port: dest.port, mode: dest.mode, resolveMs: null,
  };
  return probeConnection(target, o);
}

/** Every base64 form a secret can take on the wire: alone, and as PLAIN's [authzid] NUL user NUL password. */
export function secretForms(user: string, password: string): string[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [password, b64(password), b64(`\0${user}\0${password}`), b64(`${user}\0${password}`), encodeURIComponent(password)];
}
