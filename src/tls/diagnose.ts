import tls from 'node:tls';

/**
 * A port that stays silent where an SMTP greeting should be may be speaking
 * implicit TLS (a wrapper-mode service on a STARTTLS port). Asked only after
 * the banner timeout, so a server that delays its greeting on purpose
 * (postscreen) never sees our ClientHello as a pre-greet.
 */
export function diagnoseSilentBanner(address: string, port: number, timeoutMs: number, localAddress?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: address, port, ...(localAddress && { localAddress }), rejectUnauthorized: false, checkServerIdentity: () => undefined });
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}
