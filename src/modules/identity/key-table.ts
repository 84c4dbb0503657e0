/**
 * Strings interned off the JavaScript heap, numbered 0..count-1 in the order they were added: their
 * UTF-8 bytes in one growing buffer, found through an open-addressing hash table of ordinals (linear
 * probing, FNV-1a over the bytes). Millions of keys cost their bytes plus about 16 bytes each, and
 * the garbage collector sees a handful of buffers instead of millions of strings and map entries.
 */
export class KeyTable {
  private bytes = Buffer.allocUnsafe(1 << 20);
  private used = 0;
  private start = new Uint32Array(1 << 14);
  private length = new Uint32Array(1 << 14);
  private hash = new Int32Array(1 << 14);
  /** ordinal + 1 per slot; 0 is empty */
  private slots = new Int32Array(1 << 15);
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
    if ((this.count + 1) * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    const i = this.count++;
    if (i === this.start.length) {
      this.start = growU32(this.start);
      this.length = growU32(this.length);
      this.hash = growI32(this.hash);
    }
    if (this.used + n > 0xffff_ffff) throw new Error('more than 4 GB of identifier keys');
    if (this.used + n > this.bytes.length) {
      const b = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + n));
      this.bytes.copy(b, 0, 0, this.used);
      this.bytes = b;
    }
    this.scratch.copy(this.bytes, this.used, 0, n);
    this.start[i] = this.used;
    this.length[i] = n;
    this.hash[i] = h;
    this.used += n;
    this.place(i, h);
    return i;
  }

  key(i: number): string {
    const s = this.start[i]!;
    return this.bytes.toString('utf8', s, s + this.length[i]!);
  }

  private encode(key: string): number {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(key.length * 3);
    return this.scratch.write(key, 0, 'utf8');
  }

  private probe(n: number, h: number): number {
    const mask = this.slots.length - 1;
    const { bytes, scratch } = this;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = this.slots[slot]!;
      if (v === 0) return -1;
      const i = v - 1;
      if (this.hash[i] !== h || this.length[i] !== n) continue;
      const s = this.start[i]!;
      let j = 0;
      while (j < n && bytes[s + j] === scratch[j]) j++;
      if (j === n) return i;
    }
  }

  private place(i: number, h: number): void {
    const mask = this.slots.length - 1;
    let slot = h & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = i + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let i = 0; i < this.count; i++) this.place(i, this.hash[i]!);
  }
}

/** FNV-1a, 32 bits. */
function fnv(b: Buffer, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h;
}

const growU32 = (a: Uint32Array) => {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
};
const growI32 = (a: Int32Array) => {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
};
