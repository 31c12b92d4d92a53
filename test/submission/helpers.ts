// Probing with the submission options (AUTH, client certificate, REQUIRETLS, relay comparison).
// probeSubmission() resolves them the way resolveOptions() will once it spreads
// resolveSubmissionOptions() in, and runs the one connection through probeConnection(), the
// same path probe() takes. The password a test gives as MXPROBE_AUTH_PASSWORD in `env` is passed
// as authPassword (this process's environment is never read), so the same call works whether or
// not resolveOptions() already resolves the submission options itself.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { createPki, type Pki } from '../../fixtures/pki.js';
import { createClientCerts, type ClientCerts } from '../../fixtures/client-certs.js';
import { parseDestination } from '../../src/destination.js';
import { resolveOptions } from '../../src/options.js';
import { probeConnection, type ConnectionTarget } from '../../src/probe-target.js';
import { resolveSubmissionOptions } from '../../src/submission-options.js';
import type { ProbeOptions, ProbeResult } from '../../src/types.js';

export async function probeSubmission(destination: string, options: ProbeOptions, env: Record<string, string | undefined> = {}): Promise<ProbeResult> {
  const password = env.MXPROBE_AUTH_PASSWORD;
  if (options.auth !== undefined && password !== undefined) options = { ...options, authPassword: password };
  const o = { ...resolveOptions(options), ...resolveSubmissionOptions(options, {}) };
  const dest = parseDestination(destination, { starttls: options.starttls, implicit: options.implicit });
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

/**
 * The test PKI and the client certificates, made in the file's beforeAll and removed in its
 * afterAll (createPki()'s exit hook never runs in a vitest worker). Read them inside tests.
 */
export function useClientCerts(): { pki: Pki; certs: ClientCerts } {
  const state = {} as { pki: Pki; certs: ClientCerts };
  beforeAll(async () => {
    state.pki = await createPki();
    state.certs = await createClientCerts(state.pki);
  });
  afterAll(() => {
    state.certs?.cleanup();
    if (state.pki) rmSync(state.pki.dir, { recursive: true, force: true });
  });
  return state;
}
