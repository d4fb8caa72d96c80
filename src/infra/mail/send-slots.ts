/**
 * At most `size` holders at once; the rest wait in arrival order. E-mail jobs take a slot before
 * claiming their ledger row, so no more rows are "sending" than there are SMTP connections to
 * carry them: a crash then leaves at most one uncertain e-mail per connection.
 */
export class SendSlots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
