// Every blocklisted value held in process, as 53-bit hashes in an open-addressing
// table (8 bytes an entry, no object per entry for the collector to walk): a
// check asks Redis only about values the table may hold. A miss here is a sure
// "not listed"; a hit is only "maybe" (two values can share a hash), so the
// caller confirms it in Redis. Kept in step by the list change messages and
// reloaded whole when they may have been missed. A removed value is not taken
// out (it may share its hash with a value still listed): it stays a "maybe" that
// Redis answers, until the next reload.

const EMPTY = 0;
const MIN_CAPACITY = 1 << 16;
const MAX_LOAD = 0.5;

/** Two 32-bit FNV-1a hashes of `kind\0value` (different offsets) folded into 1..2^53-1. */
export function membershipKey(kind: string, value: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  const mix = (code: number): void => {
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x01000193);
    b ^= b >>> 13;
  };
  for (let i = 0; i < kind.length; i++) mix(kind.charCodeAt(i));
  mix(0);
  for (let i = 0; i < value.length; i++) mix(value.charCodeAt(i));
  const key = (a >>> 11) * 4294967296 + (b >>> 0);
  return key === EMPTY ? 1 : key;
}

/** A table's contents, to build an equal table in another thread. */
export interface MembershipSnapshot {
  slots: Float64Array;
  size: number;
}

export class ListMembership {
  private slots: Float64Array = new Float64Array(MIN_CAPACITY);
  size = 0;

  /** A copy of the table (the slots are copied: this table goes on changing). */
  snapshot(): MembershipSnapshot {
    return { slots: this.slots.slice(), size: this.size };
  }

  /** A table equal to the one `snapshot` was taken of; it takes the slots over. */
  static fromSnapshot(snapshot: MembershipSnapshot): ListMembership {
    const table = new ListMembership();
    table.slots = snapshot.slots;
    table.size = snapshot.size;
    return table;
  }

  mightContain(kind: string, value: string): boolean {
    return this.find(membershipKey(kind, value)) >= 0;
  }

  add(kind: string, value: string): void {
    const key = membershipKey(kind, value);
    if (this.find(key) >= 0) return;
    if ((this.size + 1) / this.slots.length > MAX_LOAD) this.resize(Math.max(MIN_CAPACITY, this.size * 4));
    const mask = this.slots.length - 1;
    let i = slotOf(key, mask);
    for (;;) {
      const slot = this.slots[i] as number;
      if (slot === EMPTY) {
        this.slots[i] = key;
        this.size++;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  private find(key: number): number {
    const mask = this.slots.length - 1;
    let i = slotOf(key, mask);
    for (;;) {
      const slot = this.slots[i] as number;
      if (slot === EMPTY) return -1;
      if (slot === key) return i;
      i = (i + 1) & mask;
    }
  }

  private resize(entries: number): void {
    let capacity = MIN_CAPACITY;
    while (entries / capacity > MAX_LOAD) capacity *= 2;
    const old = this.slots;
    this.slots = new Float64Array(capacity);
    const mask = capacity - 1;
    for (const key of old) {
      if (key === EMPTY) continue;
      let i = slotOf(key, mask);
      while (this.slots[i] !== EMPTY) i = (i + 1) & mask;
      this.slots[i] = key;
    }
  }
}

function slotOf(key: number, mask: number): number {
  // The low 32 bits of the key are the second hash: spread enough for the table's index.
  return (key % 4294967296) & mask;
}
