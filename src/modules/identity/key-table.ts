/**
 * Strings interned off the JavaScript heap, numbered 0..count-1 in the order they were added: their
 * UTF-8 bytes in one growing buffer, found through an open-addressing hash table of ordinals (linear
 * probing, FNV-1a over the bytes). Millions of keys cost their bytes plus about 20 bytes each, and
 * the garbage collector sees a handful of buffers instead of millions of strings and map entries.
 * A slot holds the ordinal and the hash side by side, a key its offset and length: a lookup of a
 * key seen in no particular order touches three places in memory, not five.
 */
export class KeyTable {
  private bytes = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  /** per key: [offset, length] */
  private span = new Uint32Array(2 << 14);
  /** per slot: [ordinal + 1 (0: empty), hash] */
  private slots = new Int32Array(2 << 15);
  private scratch = Buffer.allocUnsafe(256);
  count = 0;

  /** The key's ordinal, or -1. */
  find(key: string): number {
    const n = this.encode(key);
    return this.probe(n, fnv(this.scratch, n));
  }

  /** The key's ordinal, added when it is new. */
  add(key: string): number {
    const n = this.encode(key);
    const h = fnv(this.scratch, n);
    const found = this.probe(n, h);
    if (found >= 0) return found;
    if ((this.count + 1) * 8 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    const i = this.count++;
    if (2 * i === this.span.length) {
      const b = new Uint32Array(this.span.length * 2);
      b.set(this.span);
      this.span = b;
    }
    if (this.used + n > 0xffff_ffff) throw new Error('more than 4 GB of identifier keys');
    if (this.used + n > this.bytes.length) {
      const b = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + n));
      this.bytes.copy(b, 0, 0, this.used);
      this.bytes = b;
    }
    this.scratch.copy(this.bytes, this.used, 0, n);
    this.span[2 * i] = this.used;
    this.span[2 * i + 1] = n;
    this.used += n;
    this.place(i, h);
    return i;
  }

  key(i: number): string {
    const s = this.span[2 * i]!;
    return this.bytes.toString('utf8', s, s + this.span[2 * i + 1]!);
  }

  private encode(key: string): number {
    // Keys come from PostgreSQL text, valid UTF-16 by then: a lone surrogate would encode as U+FFFD and
    // two such keys would be taken for one.
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(key.length * 3);
    return this.scratch.write(key, 0, 'utf8');
  }

  private probe(n: number, h: number): number {
    const { bytes, scratch, slots, span } = this;
    const mask = (slots.length >> 1) - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = slots[2 * slot]!;
      if (v === 0) return -1;
      if (slots[2 * slot + 1] !== h) continue;
      const i = v - 1;
      if (span[2 * i + 1] !== n) continue;
      const s = span[2 * i]!;
      let j = 0;
      while (j < n && bytes[s + j] === scratch[j]) j++;
      if (j === n) return i;
    }
  }

  private place(i: number, h: number): void {
    const mask = (this.slots.length >> 1) - 1;
    let slot = h & mask;
    while (this.slots[2 * slot] !== 0) slot = (slot + 1) & mask;
    this.slots[2 * slot] = i + 1;
    this.slots[2 * slot + 1] = h;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size);
    for (let slot = 0; slot < old.length; slot += 2) if (old[slot] !== 0) this.place(old[slot]! - 1, old[slot + 1]!);
  }
}

/** FNV-1a, 32 bits. */
function fnv(b: Buffer, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h;
}
