// One DNS query over UDP (TCP when the answer is truncated), with EDNS0 and the
// DO bit, so that a validating resolver reports DNSSEC status in the AD bit
// (RFC 4035 §3.2.3, RFC 6840 §5.7). Node 20 has neither TLSA lookups nor the
// AD bit, hence dns-packet. Every wait has a deadline and every read a bound.
import { connect } from 'node:net';
import { isIP } from '../ip.js';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, RecordType } from 'dns-packet';
import type { DnsServer } from './resolv-conf.js';

/** RFC 9715 / DNS flag day 2020: a payload size that avoids IP fragmentation. */
export const EDNS_UDP_SIZE = 1232;
/** A DNS message over TCP is at most 65535 bytes (RFC 1035 §4.2.2 length prefix). */
const MAX_MESSAGE = 65_535;

export interface DnsMessage {
  rcode: string;
  /** Authenticated Data: the resolver validated the whole answer with DNSSEC. */
  ad: boolean;
  answers: Answer[];
  transport: 'udp' | 'tcp';
  server: string;
}

export class DnsQueryError extends Error {
  constructor(message: string, readonly code: 'ETIMEOUT' | 'ECONNREFUSED' | 'EBADRESP' | 'ENETWORK') {
    super(message);
    this.name = 'DnsQueryError';
  }
}

export interface QueryOptions {
  /** Deadline for this one exchange (UDP and any TCP retry together). */
  timeoutMs: number;
}

export async function queryServer(server: DnsServer, name: string, type: RecordType, o: QueryOptions): Promise<DnsMessage> {
  const started = Date.now();
  const left = () => o.timeoutMs - (Date.now() - started);
  const id = randomInt(0, 65_536);
  const packet: Packet = {
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    // RFC 6891 OPT with DO (RFC 3225): ask for DNSSEC status.
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [] }],
  };
  const ours = (msg: Buffer) => matches(msg, id, name, type);
  let reply = await exchangeUdp(server, dnsPacket.encode(packet), left(), ours);
  let transport: 'udp' | 'tcp' = 'udp';
  if (reply.flag_tc) {
    // RFC 7766 §5: a truncated UDP answer is retried over TCP.
    reply = await exchangeTcp(server, dnsPacket.streamEncode(packet), Math.max(1, left()), ours);
    transport = 'tcp';
  }
  return {
    rcode: reply.rcode ?? 'NOERROR',
    ad: reply.flag_ad === true,
    answers: reply.answers ?? [],
    transport,
    server: label(server),
  };
}

function label(s: DnsServer): string {
  return isIP(s.address) === 6 ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;
}

type Reply = DecodedPacket & { flag_tc?: boolean; flag_ad?: boolean; rcode?: string };

/**
 * The reply must carry our id and our question — name, type and class (RFC 5452 §9.1) — else it
 * is ignored and the wait goes on until the deadline: a spoofed or stray packet that guessed the
 * id must neither be taken as the answer nor fail the lookup before the genuine answer arrives
 * (c-ares read_answers()/same_questions() does the same).
 */
function matches(msg: Buffer, id: number, name: string, type: string): Reply | null {
  let reply: Reply;
  try {
    reply = dnsPacket.decode(msg) as Reply;
  } catch {
    return null;
  }
  const q = reply.questions?.[0];
  if (reply.type !== 'response' || reply.id !== id || !q || reply.questions!.length !== 1) return null;
  if (q.type !== type || (q.class ?? 'IN') !== 'IN') return null;
  if (q.name.toLowerCase().replace(/\.$/, '') !== name.toLowerCase().replace(/\.$/, '')) return null;
  return reply;
}

async function exchangeUdp(server: DnsServer, query: Buffer, timeoutMs: number, ours: (msg: Buffer) => Reply | null): Promise<Reply> {
  // Loaded on first use: a plain probe never needs it, and every built-in costs startup time.
  const { createSocket } = await import('node:dgram');
  const id = query.readUInt16BE(0);
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(server.address) === 6 ? 'udp6' : 'udp4');
    const done = (err: Error | null, reply?: Reply) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new DnsQueryError(`no DNS answer from ${label(server)} within ${timeoutMs} ms`, 'ETIMEOUT')), timeoutMs);
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done(new DnsQueryError(`DNS server ${label(server)}: ${err.code ?? err.message}`, err.code === 'ECONNREFUSED' ? 'ECONNREFUSED' : 'ENETWORK')));
    socket.on('message', (msg, peer) => {
      // Only the server we asked, only our id: anything else is noise or spoofing.
      if (peer.port !== server.port || msg.length < 12 || msg.readUInt16BE(0) !== id) return;
      const reply = ours(msg);
      if (reply) done(null, reply);
    });
    socket.connect(server.port, server.address, () => socket.send(query));
  });
}

function exchangeTcp(server: DnsServer, query: Buffer, timeoutMs: number, ours: (msg: Buffer) => Reply | null): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.address, port: server.port });
    let buffered = Buffer.alloc(0);
    const done = (err: Error | null, reply?: Reply) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const timer = setTimeout(() => done(new DnsQueryError(`no DNS answer over TCP from ${label(server)} within ${timeoutMs} ms`, 'ETIMEOUT')), timeoutMs);
    socket.on('connect', () => socket.write(query));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done(new DnsQueryError(`DNS server ${label(server)} (TCP): ${err.code ?? err.message}`, err.code === 'ECONNREFUSED' ? 'ECONNREFUSED' : 'ENETWORK')));
    socket.on('end', () => done(new DnsQueryError(`DNS server ${label(server)} closed the TCP connection before answering`, 'EBADRESP')));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      // RFC 1035 §4.2.2: length-prefixed messages; one that is not ours is skipped, as over UDP.
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const size = buffered.readUInt16BE(0);
        const reply = ours(buffered.subarray(2, 2 + size));
        if (reply) return done(null, reply);
        buffered = buffered.subarray(2 + size);
      }
      if (buffered.length > 2 + MAX_MESSAGE) return done(new DnsQueryError(`DNS answer over TCP larger than ${MAX_MESSAGE} bytes`, 'EBADRESP'));
    });
  });
}
