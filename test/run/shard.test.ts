// --shard K/N: a partition (every key in exactly one shard), stable for a seed, reproducible
// from its definition (SHA-256 of seed "\n" key), with usage errors for bad specs.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addressKey, parseShard, shardFilter, shardOf } from '../../src/run/shard.js';
import { UsageError } from '../../src/errors.js';

describe('shards', () => {
  it('parses K/N from 1 and refuses the rest with one line', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '4', '1/0', 'a/b', '-1/4', '1/70000']) expect(() => parseShard(bad), bad).toThrow(UsageError);
    expect(() => parseShard('0/4')).toThrow(/JOB_COMPLETION_INDEX \+ 1/);
  });

  it('puts every key in exactly one shard, about evenly, the same for the same seed', () => {
    const keys = Array.from({ length: 4000 }, (_, i) => `127.0.${i >> 8}.${i & 255}`);
    const filters = [1, 2, 3, 4].map((index) => shardFilter({ index, count: 4, seed: 's' }));
    const sizes = [0, 0, 0, 0];
    for (const k of keys) {
      const owners = filters.flatMap((owns, i) => (owns(k) ? [i] : []));
      expect(owners).toHaveLength(1);
      sizes[owners[0]]++;
    }
    for (const n of sizes) expect(n).toBeGreaterThan(850);
    const again = shardFilter({ index: 3, count: 4, seed: 's' });
    expect(keys.filter(again)).toEqual(keys.filter(filters[2]));
    // Another seed, another split.
    expect(keys.filter(shardFilter({ index: 3, count: 4, seed: 't' }))).not.toEqual(keys.filter(filters[2]));
  });

  it('is the documented hash: 1 + first 48 bits of SHA-256(seed "\\n" key) mod N', () => {
    const digest = createHash('sha256').update('seed\n192.0.2.1').digest();
    expect(shardOf('192.0.2.1', 7, 'seed')).toBe(1 + (digest.readUIntBE(0, 6) % 7));
  });

  it('one IPv6 address, however it is written, is one key', () => {
    expect(addressKey('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(addressKey('2001:db8::1')).toBe('2001:db8::1');
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
  });
});
