import net from 'node:net';
import { ProbeError } from '../errors.js';
import { classifySocketError } from './socket-errors.js';

/**
 * A TCP connection with a deadline, classified failures (refused, unreachable, timeout,
 * reset) at phase 'connect', and an abort signal that ends the attempt. Nagle is off: SMTP
 * commands are small and each waits for its reply. `localAddress` binds the connection to one
 * of this host's addresses (--source-address).
 */
export function connectTcp(address: string, port: number, timeoutMs: number, signal?: AbortSignal, what = 'probe', localAddress?: string): Promise<net.Socket> {
  if (signal?.aborted) return Promise.reject(new ProbeError('connect', 'aborted', `${what} aborted`));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port, noDelay: true, ...(localAddress && { localAddress }) });
    let settled = false;
    const done = (error: ProbeError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onError = (err: Error) => {
      const { code, message } = classifySocketError(err);
      done(new ProbeError('connect', code, `${message} (${address} port ${port})`));
    };
    const onAbort = () => done(new ProbeError('connect', 'aborted', `${what} aborted`));
    const timer = setTimeout(() => done(new ProbeError('connect', 'timeout', `timeout connecting to ${address} port ${port} after ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => done(null));
    socket.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
