// The bounded per-run DNS caches: at most `max` entries, the least recently used out first.
import { expect, it } from 'vitest';
import { BoundedMap } from '../../src/dns/bounded-map.js';

it('keeps at most max entries, dropping the least recently used', () => {
  const m = new BoundedMap<string, number>(3);
  m.set('a', 1).set('b', 2).set('c', 3);
  expect(m.get('a')).toBe(1); // a is now the most recent
  m.set('d', 4);
  expect([...m.keys()]).toEqual(['c', 'a', 'd']);
  m.set('c', 30); // a set refreshes too
  m.set('e', 5);
  expect([...m.keys()]).toEqual(['d', 'c', 'e']);
  expect(m.get('b')).toBeUndefined();
  for (let i = 0; i < 1000; i++) m.set(`k${i}`, i);
  expect(m.size).toBe(3);
});
