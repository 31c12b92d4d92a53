// Splitting one run over N machines (or processes) so that every server address is probed from
// exactly one of them: the per-address caps (--per-host, --per-host-rate) then hold across the
// machines as they hold inside one run. A key belongs to shard 1 + (H mod N), where H is the
// first 48 bits (big-endian) of SHA-256(seed "\n" key): any other tool can recompute it
// (`printf '%s\n%s' SEED 192.0.2.1 | sha256sum`), and the same seed gives the same split on
// every machine, whatever the order of the list.
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import { isIP } from '../ip.js';
import { normalizeIp } from '../tls/certificate.js';

/**
 * address: every shard resolves every destination and keeps the connections whose address is
 * its own (one address, one shard). domain: a shard resolves and probes only the destinations
 * whose domain (or host) is its own: the DNS work is split too, but two domains sharing an MX
 * address may then be probed from two shards at once.
 */
export type ShardBy = 'address' | 'domain';
export const SHARD_BY: readonly ShardBy[] = ['address', 'domain'];

export interface ShardSpec {
  /** 1 … count. */
  index: number;
  count: number;
  seed?: string;
  by?: ShardBy;
}

/** `K/N`, shards numbered from 1 (a Kubernetes Indexed Job passes JOB_COMPLETION_INDEX + 1). */
export function parseShard(value: string): { index: number; count: number } {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(value);
  if (!m) throw new UsageError(`--shard: expected K/N (shard K of N, from 1), got '${value}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > 65536) throw new UsageError(`--shard: N must be between 1 and 65536, got ${count}`);
  if (index === 0) throw new UsageError(`--shard: shards are numbered from 1 (K/N with 1 ≤ K ≤ N; JOB_COMPLETION_INDEX counts from 0: use $((JOB_COMPLETION_INDEX + 1))/${count})`);
  if (index > count) throw new UsageError(`--shard: K must be between 1 and ${count}, got ${index}`);
  return { index, count };
}

/** The shard (1 … count) a key belongs to. */
export function shardOf(key: string, count: number, seed = ''): number {
  const digest = createHash('sha256').update(`${seed}\n${key}`).digest();
  return 1 + (digest.readUIntBE(0, 6) % count);
}

/** The spelling every shard hashes: IPv6 compressed and in lower case, so equal addresses agree. */
export function addressKey(address: string): string {
  return isIP(address) === 6 ? normalizeIp(address) : address;
}

/** Whether this shard owns `key` (an address, or with `by: domain` a destination's domain). */
export function shardFilter(spec: ShardSpec): (key: string) => boolean {
  if (!Number.isInteger(spec.index) || !Number.isInteger(spec.count) || spec.count < 1 || spec.index < 1 || spec.index > spec.count) {
    throw new UsageError(`shard ${spec.index}/${spec.count}: K/N with 1 ≤ K ≤ N`);
  }
  if (spec.count === 1) return () => true;
  return (key) => shardOf(key, spec.count, spec.seed ?? '') === spec.index;
}
