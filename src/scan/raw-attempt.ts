// A hand-built ClientHello over the plaintext-upgraded socket (after STARTTLS's 220): write the
// bytes, read only the server's first record (bounded in size and time), close.
import { ProbeError } from '../errors.js';
import type { AttemptResult } from './attempt.js';
import { tryOpenTlsPath } from './open.js';
import { firstRecordLength, parseServerReply, type ServerReply } from './raw-hello.js';
import type { ScanTarget } from './target.js';

/** A TLS record is at most 2^14 bytes plus header and expansion (RFC 5246 §6.2.3). */
const MAX_RECORD = 18 * 1024 + 5;

/** accepted = the server answered (ServerHello, alert or junk: see the reply); rejected = it closed or stayed silent. */
export async function rawHelloAttempt(t: ScanTarget, hello: Buffer, signal?: AbortSignal): Promise<AttemptResult<ServerReply>> {
  const path = await tryOpenTlsPath(t, { signal });
  if (path instanceof ProbeError) return { kind: 'unavailable', error: path };
  const { socket } = path;
  return new Promise((resolve) => {
    let buf = path.leftover;
    let settled = false;
    const finish = (r: AttemptResult<ServerReply>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const check = () => {
      const need = firstRecordLength(buf);
      if (need !== null && (buf.length >= need || need > MAX_RECORD)) finish({ kind: 'accepted', value: parseServerReply(buf.subarray(0, Math.min(buf.length, MAX_RECORD))) });
    };
    const timer = setTimeout(() => finish({ kind: 'rejected', reason: `no answer to the ClientHello within ${t.tlsTimeoutMs} ms`, local: false }), t.tlsTimeoutMs);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      check();
    });
    socket.on('error', () => finish({ kind: 'rejected', reason: 'connection reset after the ClientHello', local: false }));
    socket.on('close', () => finish(buf.length ? { kind: 'accepted', value: parseServerReply(buf) } : { kind: 'rejected', reason: 'connection closed after the ClientHello', local: false }));
    socket.write(hello);
    check();
  });
}
