import type { TLSSocket } from 'node:tls';

/**
 * Wait, after a TLS 1.3 handshake, until the server's first NewSessionTicket
 * has arrived before the first command is written (DESIGN.md "Known Node 20
 * traps").
 *
 * Why (strace against Postfix 3.7, bench/README.md): a TLS 1.3 server writes
 * its session ticket(s) right after our Finished. Postfix does not set
 * TCP_NODELAY, so Nagle holds its reply to our EHLO until the ticket is
 * ACKed. If our EHLO left with our Finished (Node writes both in one write
 * when EHLO is written in `secureConnect`), we have nothing to send when the
 * ticket arrives, the kernel delays its ACK (~40 ms) and the EHLO reply waits
 * for it. Measured on loopback: EHLO written in `secureConnect` → reply after
 * ~43 ms; in a setImmediate → the same stall 2 times in 6 (timing luck);
 * written after the first ticket → reply 0.5 ms later, 6 of 6 — our EHLO
 * carries the ACK. Written *inside* the 'session' listener the EHLO never
 * left at all, hence the setImmediate. (OpenSSL C clients such as
 * posttls-finger get the same effect from their own Nagle: the EHLO waits in
 * their kernel until the ticket's segment ACKs the Finished.)
 *
 * The ticket comes one round trip after our Finished, so the wait costs
 * nothing against such a server: its reply could not come sooner. Against a
 * server that sends no ticket, or one with TCP_NODELAY, it costs up to the
 * fallback, which is 1.5 round trips as measured by our TCP connect (at least
 * 5 ms). Where the connect was answered nearby — a TCP-terminating proxy or
 * relay, which also ACKs the server's tickets itself — the fallback is short
 * and we do not wait long for a ticket that cannot stall us there.
 */
export function settleTls13(socket: TLSSocket, connectRttMs: number, maxWaitMs: number): Promise<void> {
  if (socket.getProtocol() !== 'TLSv1.3') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.off('session', done);
      socket.off('close', done);
      setImmediate(resolve);
    };
    const fallbackMs = Math.min(maxWaitMs, Math.max(5, Math.ceil(connectRttMs * 1.5) + 2));
    const timer = setTimeout(done, fallbackMs);
    socket.once('session', done);
    socket.once('close', done);
  });
}
