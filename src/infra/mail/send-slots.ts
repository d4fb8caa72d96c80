/**
 * At most `size` holders at once; the rest wait in arrival order. E-mail jobs take a slot before
 * claiming their ledger row, so no more rows are "sending" than there are SMTP connections to
 * carry them: a crash then leaves at most one uncertain e-mail per connection.
 */
export class SendSlots {
  private free: number;
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private closedWith?: Error;

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closedWith) throw this.closedWith;
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next.resolve();
      else this.free++;
    }
  }

  /** From now on no work starts: waiting and later callers get `error`; holders finish. */
  close(error: Error): void {
    this.closedWith = error;
    for (const w of this.waiting.splice(0)) w.reject(error);
  }
}
