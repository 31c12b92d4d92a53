// The compact dedupe set: exact membership for the keys a list has, through its growth.
import { describe, expect, it } from 'vitest';
import { hash64, KeySet } from '../../src/run/key-set.js';

describe('KeySet', () => {
  it('adds each key once, through several doublings', () => {
    const set = new KeySet(16);
    const keys = Array.from({ length: 50_000 }, (_, i) => `starttls 25 mx${i}.example.com`);
    expect(keys.every((k) => set.add(k))).toBe(true);
    expect(set.size).toBe(50_000);
    expect(keys.every((k) => !set.add(k))).toBe(true);
    expect(set.size).toBe(50_000);
    expect(set.add('starttls 25 mx50000.example.com')).toBe(true);
    // 8 bytes per slot at most 70 % full: under 23 bytes per key.
    expect(set.bytes / set.size).toBeLessThan(23);
  });

  it('keys differing in one character or in order differ', () => {
    const set = new KeySet();
    for (const k of ['starttls 25 a.example', 'starttls 25 b.example', 'starttls 52 a.example', 'implicit 25 a.example', 'starttls 25 a.exampl', 'starttls 25 ']) {
      expect(set.add(k), k).toBe(true);
    }
  });

  it('spreads keys: no 64-bit collision among a million similar keys', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) {
      const [a, b] = hash64(`starttls ${1 + (i % 65535)} [127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}]`);
      seen.add(`${a}:${b}`);
    }
    expect(seen.size).toBe(1_000_000);
  });
});
