// The DNS client keeps waiting past a packet that carries our ID but not our question (name,
// type or class changed): it is ignored, and the genuine answer that follows is taken; with no
// genuine answer the lookup times out at its deadline, not earlier as a "bad response".
// The fixture sends the spoofed packet first, over UDP and, for a truncated answer, over TCP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsFixture } from '../../fixtures/dns-server.js';
import { DnsQueryError, queryServer } from '../../src/dns/client.js';

let dns: DnsFixture;
beforeAll(async () => {
  dns = await startDnsServer({
    'name.test': { A: ['192.0.2.1'], spoof: { question: 'name' } },
    'type.test': { A: ['192.0.2.2'], spoof: { question: 'type' } },
    'class.test': { A: ['192.0.2.3'], spoof: { question: 'class' } },
    'tcp.test': { A: ['192.0.2.4'], truncate: true, spoof: { question: 'name' } },
    'only-spoof.test': { A: ['192.0.2.5'], spoof: { question: 'name', genuine: false } },
    'plain.test': { A: ['192.0.2.6'] },
  });
});
afterAll(async () => {
  await dns.close();
});

const server = () => ({ address: dns.address, port: dns.port });

describe('queryServer: a packet with our ID but another question', () => {
  it.each([
    ['name', 'name.test', '192.0.2.1', 'udp'],
    ['type', 'type.test', '192.0.2.2', 'udp'],
    ['class', 'class.test', '192.0.2.3', 'udp'],
    ['name, over TCP after a truncated answer', 'tcp.test', '192.0.2.4', 'tcp'],
  ])('wrong %s: ignored, the genuine answer is taken', async (_what, name, address, transport) => {
    const m = await queryServer(server(), name, 'A', { timeoutMs: 2000 });
    expect(m.rcode).toBe('NOERROR');
    expect(m.transport).toBe(transport);
    expect(m.answers.map((a) => ('data' in a ? a.data : null))).toEqual([address]);
  });

  it('only the spoofed packet: the client waits until its deadline (ETIMEOUT), not EBADRESP at once', async () => {
    const started = Date.now();
    const err = await queryServer(server(), 'only-spoof.test', 'A', { timeoutMs: 400 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DnsQueryError);
    expect((err as DnsQueryError).code).toBe('ETIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
  });

  it('an ordinary answer still comes back at once', async () => {
    const started = Date.now();
    const m = await queryServer(server(), 'plain.test', 'A', { timeoutMs: 2000 });
    expect(m.answers.map((a) => ('data' in a ? a.data : null))).toEqual(['192.0.2.6']);
    expect(Date.now() - started).toBeLessThan(300);
  });
});
