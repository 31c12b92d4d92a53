// "Have we seen this destination?" for lists of any length, in 8 bytes per slot instead of the
// ~90 bytes a Set<string> entry of a typical destination key costs (bench/many-dedupe.mjs). Each
// key is kept as a 64-bit hash (two independent 32-bit multiplicative hashes, finished with
// MurmurHash3's fmix32) in an open-addressing table that doubles at 70 % load. Two distinct keys
// collide with probability n²/2⁶⁵: 2.7e-8 for a million keys, 2.7e-4 for a hundred million; a
// collision drops the second key as a duplicate, and the run counts it as one.

const EMPTY_HI = 0;
const EMPTY_LO = 0;
const MAX_LOAD = 0.7;

/** MurmurHash3's 32-bit finalizer: every input bit reaches every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two 32-bit hashes of `key` in one pass (FNV-1a-style, different primes and seeds). */
export function hash64(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [fmix32(a), fmix32(b ^ Math.imul(a, 0x27d4eb2d))];
}

export class KeySet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity * MAX_LOAD < initialCapacity) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength;
  }

  /** Adds `key`; true when it was not there before. */
  add(key: string): boolean {
    let [h, l] = hash64(key);
    // (0, 0) marks an empty slot.
    if (h === EMPTY_HI && l === EMPTY_LO) l = 1;
    for (let i = l & this.mask; ; i = (i + 1) & this.mask) {
      const sh = this.hi[i];
      const sl = this.lo[i];
      if (sh === h && sl === l) return false;
      if (sh === EMPTY_HI && sl === EMPTY_LO) {
        this.hi[i] = h;
        this.lo[i] = l;
        if (++this.size > (this.mask + 1) * MAX_LOAD) this.grow();
        return true;
      }
    }
  }

  private grow(): void {
    const { hi, lo } = this;
    const capacity = hi.length * 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let j = 0; j < hi.length; j++) {
      const h = hi[j];
      const l = lo[j];
      if (h === EMPTY_HI && l === EMPTY_LO) continue;
      let i = l & this.mask;
      while (this.hi[i] !== EMPTY_HI || this.lo[i] !== EMPTY_LO) i = (i + 1) & this.mask;
      this.hi[i] = h;
      this.lo[i] = l;
    }
  }
}
