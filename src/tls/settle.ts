import type { TLSSocket } from 'node:tls';

/**
 * Wait, after a TLS 1.3 handshake, until the server's first NewSessionTicket
 * has arrived before the first command is written (DESIGN.md "Known Node 20
 * traps").
 *
 * Why: a TLS 1.3 server (OpenSSL: two tickets by default) writes its tickets
 * right after our Finished, in separate segments. Postfix does not set
 * TCP_NODELAY, so Nagle holds ticket 2 and then its reply to our EHLO until
 * ticket 1 is ACKed. If our EHLO left with (or just after) our Finished, we
 * have nothing to send when ticket 1 arrives, the kernel delays its ACK
 * (~40 ms) and the EHLO reply waits for it. Measured against Postfix 3.7 on
 * loopback: EHLO written in `secureConnect` → reply after ~43 ms; in a
 * setImmediate → the same stall 2 times in 6 (timing luck); written after
 * the first ticket → reply 0.5 ms later, 6 of 6. Written *inside* the
 * 'session' listener the EHLO never left at all, hence the setImmediate.
 *
 * A server that sends no ticket costs the fallback: about one handshake
 * time (the ticket would arrive one round trip after our Finished).
 */
export function settleTls13(socket: TLSSocket, handshakeMs: number, maxWaitMs: number): Promise<void> {
  if (socket.getProtocol() !== 'TLSv1.3') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.off('session', done);
      socket.off('close', done);
      setImmediate(resolve);
    };
    const fallbackMs = Math.min(maxWaitMs, Math.max(5, Math.ceil(handshakeMs * 1.5) + 2));
    const timer = setTimeout(done, fallbackMs);
    socket.once('session', done);
    socket.once('close', done);
  });
}
