interface Waiter<In, Out> {
  input: In;
  resolve: (out: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * One statement for many concurrent callers: calls made while a statement is in flight wait
 * and go together in the next one. Dozens of e-mail jobs claiming and recording their rows
 * then share a round trip to PostgreSQL instead of making one each (per-statement socket
 * writes and planning were most of the e-mail path's cost in a profile). Each caller still gets
 * its own answer or the statement's error, exactly as if it had run alone.
 *
 * `key` keeps two calls about the same thing out of one statement: the later one waits for the
 * next, so it sees what the first did.
 */
export class CoalescedStatement<In, Out> {
  private waiting: Waiter<In, Out>[] = [];
  private inFlight = false;
  private scheduled = false;

  constructor(
    private readonly run: (inputs: In[]) => Promise<Out[]>,
    private readonly key: (input: In) => string,
    private readonly maxBatch = 500,
  ) {}

  call(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight || this.scheduled) return;
    this.scheduled = true;
    // The rest of this turn of the event loop joins the statement too.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight || !this.waiting.length) return;
    const batch: Waiter<In, Out>[] = [];
    const later: Waiter<In, Out>[] = [];
    const keys = new Set<string>();
    for (const w of this.waiting) {
      const k = this.key(w.input);
      if (batch.length >= this.maxBatch || keys.has(k)) later.push(w);
      else {
        keys.add(k);
        batch.push(w);
      }
    }
    this.waiting = later;
    this.inFlight = true;
    try {
      const out = await this.run(batch.map((w) => w.input));
      batch.forEach((w, i) => w.resolve(out[i]));
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.inFlight = false;
      if (this.waiting.length) this.schedule();
    }
  }
}
