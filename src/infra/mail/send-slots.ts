/** What a slot's holder is given: what the previous holder passed on, and how to pass its own on. */
export interface SlotTurn<Baton> {
  /** Passed on by the previous holder (handOver), for this holder to see through. */
  carried?: Baton;
  /**
   * Gives the slot, with `baton`, to the next waiting caller at once; false (and the slot kept
   * until the work ends) when nobody is waiting. The receiver must see the baton through.
   */
  handOver(baton: Baton): boolean;
}

/**
 * At most `size` holders at once; the rest wait in arrival order. E-mail jobs take a slot before
 * claiming their ledger row, so no more rows are "sending" than there are SMTP connections to
 * carry them: a crash then leaves at most one uncertain e-mail per connection.
 */
export class SendSlots<Baton = never> {
  private free: number;
  private readonly waiting: { resolve: (baton?: Baton) => void; reject: (error: Error) => void }[] = [];
  private closedWith?: Error;

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: (turn: SlotTurn<Baton>) => Promise<T>): Promise<T> {
    if (this.closedWith) throw this.closedWith;
    let carried: Baton | undefined;
    if (this.free > 0) this.free--;
    else carried = await new Promise<Baton | undefined>((resolve, reject) => this.waiting.push({ resolve, reject }));
    let held = true;
    const handOver = (baton: Baton) => {
      const next = held ? this.waiting.shift() : undefined;
      if (!next) return false;
      held = false;
      next.resolve(baton);
      return true;
    };
    try {
      return await work({ carried, handOver });
    } finally {
      if (held) {
        const next = this.waiting.shift();
        if (next) next.resolve();
        else this.free++;
      }
    }
  }

  /** From now on no work starts: waiting and later callers get `error`; holders finish. */
  close(error: Error): void {
    this.closedWith = error;
    for (const w of this.waiting.splice(0)) w.reject(error);
  }
}
