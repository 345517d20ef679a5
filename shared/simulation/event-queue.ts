// A binary min-heap of simulation events by time; equal times keep their insertion order, so a run is
// reproducible to the event.

export interface SimEvent {
  atMs: number;
  kind: number;
  ref: number;
}

export class EventQueue {
  readonly #times: number[] = [];
  readonly #seqs: number[] = [];
  readonly #kinds: number[] = [];
  readonly #refs: number[] = [];
  #nextSeq = 0;

  get size(): number {
    return this.#times.length;
  }

  push(atMs: number, kind: number, ref: number): void {
    this.#times.push(atMs);
    this.#seqs.push(this.#nextSeq++);
    this.#kinds.push(kind);
    this.#refs.push(ref);
    this.#up(this.#times.length - 1);
  }

  pop(): SimEvent {
    const event = {
      atMs: this.#times[0] as number,
      kind: this.#kinds[0] as number,
      ref: this.#refs[0] as number,
    };
    const last = this.#times.length - 1;
    this.#move(last, 0);
    this.#times.pop();
    this.#seqs.pop();
    this.#kinds.pop();
    this.#refs.pop();
    if (this.#times.length > 0) this.#down(0);
    return event;
  }

  #before(a: number, b: number): boolean {
    const ta = this.#times[a] as number;
    const tb = this.#times[b] as number;
    return ta < tb || (ta === tb && (this.#seqs[a] as number) < (this.#seqs[b] as number));
  }

  #move(from: number, to: number): void {
    this.#times[to] = this.#times[from] as number;
    this.#seqs[to] = this.#seqs[from] as number;
    this.#kinds[to] = this.#kinds[from] as number;
    this.#refs[to] = this.#refs[from] as number;
  }

  #swap(a: number, b: number): void {
    for (const array of [this.#times, this.#seqs, this.#kinds, this.#refs]) {
      const value = array[a] as number;
      array[a] = array[b] as number;
      array[b] = value;
    }
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#times.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && this.#before(left, smallest)) smallest = left;
      if (right < n && this.#before(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }
}
