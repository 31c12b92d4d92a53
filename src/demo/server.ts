// The demo's SMTP server: just enough ESMTP (RFC 5321) with STARTTLS (RFC 3207) on 127.0.0.1 for
// `mxprobe demo` to probe something real on a machine with no network. It accepts no mail.
import { createServer, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';

export interface DemoServerOptions {
  /** The certificate chain to serve (PEM) and its key. */
  certPem: string;
  keyPem: string;
  /** The name in the greeting and the EHLO reply. */
  name: string;
}

export interface DemoServer {
  host: '127.0.0.1';
  port: number;
  /** Stops listening and ends every open connection. */
  close(): Promise<void>;
}

/** RFC 5321 §4.5.3.1.4: 512 octets per command line; a little slack, then the line is refused. */
const MAX_LINE = 1000;
/** An idle or stuck client (a handshake that never ends) is dropped after this long. */
const IDLE_MS = 10_000;

/** Listens on a free port of 127.0.0.1 (port 0: the kernel picks one). */
export async function startDemoServer(o: DemoServerOptions): Promise<DemoServer> {
  const secureContext = createSecureContext({ cert: o.certPem, key: o.keyPem });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    converse(socket, secureContext, o.name);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: '127.0.0.1',
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** One SMTP session: greeting, then a reply to each command line, upgraded in place on STARTTLS. */
function converse(raw: Socket, secureContext: ReturnType<typeof createSecureContext>, name: string): void {
  let stream: Socket = raw;
  let tls = false;
  let buffered = '';
  const reply = (lines: string[]) => stream.write(lines.map((l, i) => `${l.slice(0, 3)}${i < lines.length - 1 ? '-' : ' '}${l.slice(4)}\r\n`).join(''));

  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, end).replace(/\r$/, '');
      buffered = buffered.slice(end + 1);
      if (line.length > MAX_LINE) return refuseLongLine();
      if (command(line) === 'starttls') return;
    }
    if (buffered.length > MAX_LINE) refuseLongLine();
  };
  const refuseLongLine = () => {
    reply(['500 5.5.2 Line too long']);
    stream.end();
  };

  /** Answers one line; 'starttls' when the session moved into TLS (the rest of the input is dropped). */
  const command = (line: string): 'starttls' | undefined => {
    const verb = line.split(' ', 1)[0].toUpperCase();
    switch (verb) {
      case 'EHLO':
        reply([`250 ${name}`, '250 PIPELINING', '250 SIZE 10240000', ...(tls ? [] : ['250 STARTTLS']), '250 ENHANCEDSTATUSCODES', '250 8BITMIME']);
        return;
      case 'HELO':
        reply([`250 ${name}`]);
        return;
      case 'STARTTLS':
        if (tls) {
          reply(['503 5.5.1 TLS already active']);
          return;
        }
        reply(['220 2.0.0 Ready to start TLS']);
        upgrade();
        return 'starttls';
      case 'MAIL':
        reply(['250 2.1.0 Ok']);
        return;
      case 'RCPT':
        reply(['250 2.1.5 Ok']);
        return;
      case 'DATA':
        reply(['554 5.5.1 This demo server accepts no mail']);
        return;
      case 'RSET':
      case 'NOOP':
        reply(['250 2.0.0 Ok']);
        return;
      case 'QUIT':
        reply(['221 2.0.0 Bye']);
        stream.end();
        return;
      default:
        reply(['502 5.5.2 Error: command not recognized']);
    }
  };

  /** RFC 3207 §4.2: whatever the client sent after STARTTLS, before the handshake, is dropped. */
  const upgrade = () => {
    raw.off('data', onData);
    buffered = '';
    const secure = new TLSSocket(raw, { isServer: true, secureContext });
    secure.on('error', () => raw.destroy());
    secure.on('data', onData);
    stream = secure;
    tls = true;
  };

  raw.on('data', onData);
  reply([`220 ${name} ESMTP mxprobe demo`]);
}
