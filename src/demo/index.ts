// `mxprobe demo`: a probe that ends OK on a machine with no network. A tiny STARTTLS server on
// 127.0.0.1 serves a leaf from a root made on the spot; the probe trusts that root (as with
// --ca-file) and checks the leaf's name (as with --servername) at level verify, the default.
import { probe } from '../probe.js';
import type { ProbeOptions, ProbeResult } from '../types.js';
import { createDemoPki, type DemoPki } from './certificates.js';
import { startDemoServer } from './server.js';

export { createDemoPki, type DemoPki, type DemoPkiOptions, type DemoCertificate } from './certificates.js';
export { startDemoServer, type DemoServer, type DemoServerOptions } from './server.js';

/** Output-side options only: trust anchor, name and level are the demo's own. */
export type DemoOptions = Pick<ProbeOptions, 'transcript' | 'showCerts' | 'ehlo' | 'signal'>;

/** Nothing on loopback takes long; a bound all the same, so the demo can never hang. */
const DEMO_DEADLINE_MS = 20_000;

/**
 * Starts the demo server, probes it through the library as `mxprobe --ca-file ROOT
 * --servername NAME '[127.0.0.1]:PORT'` would, stops the server, and resolves to the result.
 */
export async function runDemo(options: DemoOptions = {}, pki: DemoPki = createDemoPki()): Promise<ProbeResult> {
  const server = await startDemoServer({ certPem: pki.leaf.pem, keyPem: pki.leaf.keyPem, name: pki.name });
  try {
    return await probe(`[${server.host}]:${server.port}`, {
      ...options,
      level: 'verify',
      ca: pki.root.pem,
      servername: pki.name,
      deadlineMs: DEMO_DEADLINE_MS,
    });
  } finally {
    await server.close();
  }
}
