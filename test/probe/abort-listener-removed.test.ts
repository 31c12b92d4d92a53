// The library and the caller's AbortSignal: no listener left behind, an aborted signal sends nothing.
import { getEventListeners } from 'node:events';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Pki } from '../../fixtures/pki.js';
import { smtpDialog } from '../../fixtures/faulty-servers.js';
import { options, probePort, useFixtures } from '../probe/helpers.js';

const fx = useFixtures();
let pki: Pki;
beforeAll(async () => {
  pki = await fx.pki();
});

describe('probe() takes its abort listener off the caller\'s signal', () => {
  // Conversation.run() adds signal.addEventListener('abort', () => s.close()) and never removes it:
  // a script probing many hosts with one signal keeps every finished session (socket, buffers,
  // transcript) reachable and trips MaxListenersExceededWarning. run.ts works around it
  // (probeLinked); probe()/probeAll() do not.
  it('no listener remains after three probes', async () => {
    const tlsOptions = { key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem };
    const s = await fx.raw((io) => smtpDialog(io, { tls: tlsOptions }));
    const controller = new AbortController();
    for (let i = 0; i < 3; i++) {
      const r = await probePort(s.port, options(pki, { signal: controller.signal }));
      expect(r.status).toBe('ok');
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('an already-aborted signal stops the probe before it starts', () => {
  // addEventListener('abort') on an aborted signal never fires: SmtpSession.connect and
  // Conversation.run ignore it, and the probe talks to the server anyway.
  it('sends nothing to the server', async () => {
    const tlsOptions = { key: pki.leaves.good.keyPem, cert: pki.leaves.good.chainPem };
    const s = await fx.raw((io) => smtpDialog(io, { tls: tlsOptions }));
    const r = await probePort(s.port, options(pki, { signal: AbortSignal.abort() }));
    expect(r.error?.code).toBe('aborted');
    expect(s.received).toEqual([]);
  });
});
