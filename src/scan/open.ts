// The plaintext part of every scan attempt: connect, greeting, EHLO, STARTTLS. What it returns is
// a socket on which the next byte we write is a ClientHello (Node's or a hand-built one).
import net from 'node:net';
import { ProbeError } from '../errors.js';
import type { Phase, SmtpReply } from '../types.js';
import { ReplyReader } from '../smtp/reply-reader.js';
import { hasCapability, parseEhloCapabilities } from '../smtp/capabilities.js';
import { connectTcp } from '../smtp/connect.js';
import type { ScanTarget } from './target.js';

export interface OpenOptions {
  /** Written instead of "STARTTLS\r\n" (the injection test appends "RSET\r\n" in the same write). */
  starttlsWrite?: string;
  signal?: AbortSignal;
}

export interface OpenedPath {
  socket: net.Socket;
  /** Bytes the server sent after its 220 to STARTTLS and before our ClientHello (should be 0). */
  leftover: Buffer;
}

export async function connectSocket(t: ScanTarget, signal?: AbortSignal): Promise<net.Socket> {
  const socket = await connectTcp(t.address, t.port, t.connectTimeoutMs, signal, 'scan');
  // The scan's deadline ends every attempt, whatever it waits for (greeting, handshake, a raw
  // hello's answer): destroying the socket fails that wait at once.
  const end = () => socket.destroy();
  signal?.addEventListener('abort', end, { once: true });
  socket.once('close', () => signal?.removeEventListener('abort', end));
  return socket;
}

/** Connect and walk the plaintext SMTP part; throws ProbeError (connect/banner/ehlo/starttls). */
export async function openTlsPath(t: ScanTarget, o: OpenOptions = {}): Promise<OpenedPath> {
  const socket = await connectSocket(t, o.signal);
  if (t.mode === 'implicit') return { socket, leftover: Buffer.alloc(0) };
  const reader = new ReplyReader(socket, null);
  try {
    const read = (phase: Phase, timeoutMs: number, waitingFor: string, greeting = false) => reader.readReply({ phase, timeoutMs, waitingFor, greeting });
    const banner = await read('banner', t.bannerTimeoutMs, 'banner', true);
    if (banner.code !== 220) throw refused('banner', 'smtp-reply', 'server refused the session', banner);
    socket.write(`EHLO ${t.ehlo}\r\n`);
    const ehlo = await read('ehlo', t.timeoutMs, 'reply to EHLO');
    if (ehlo.code !== 250) throw refused('ehlo', 'smtp-reply', 'EHLO refused', ehlo);
    if (!hasCapability(parseEhloCapabilities(ehlo.text), 'STARTTLS')) {
      throw new ProbeError('starttls', 'starttls-not-offered', 'STARTTLS not offered (no STARTTLS in the EHLO reply)');
    }
    socket.write(o.starttlsWrite ?? 'STARTTLS\r\n');
    const reply = await read('starttls', t.timeoutMs, 'reply to STARTTLS');
    if (reply.code !== 220) throw refused('starttls', 'starttls-refused', 'STARTTLS refused', reply);
    return { socket, leftover: reader.detach() };
  } catch (err) {
    reader.detach();
    socket.destroy();
    throw err;
  }
}

/** openTlsPath, with the server's failure as a value: every attempt turns it into its own verdict. */
export async function tryOpenTlsPath(t: ScanTarget, o: OpenOptions = {}): Promise<OpenedPath | ProbeError> {
  try {
    return await openTlsPath(t, o);
  } catch (err) {
    if (err instanceof ProbeError) return err;
    throw err;
  }
}

function refused(phase: Phase, code: 'smtp-reply' | 'starttls-refused', what: string, reply: SmtpReply): ProbeError {
  return new ProbeError(phase, code, `${what}: ${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ''} ${reply.text.split('\n')[0]}`.trim(), reply);
}
