interface Waiter<In, Out> {
  input: In;
  keys: string[];
  resolve: (out: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * One statement for many concurrent callers: calls made while statements are in flight wait
 * and go together in the next one. Dozens of e-mail jobs claiming and recording their rows
 * then share a round trip to PostgreSQL instead of making one each (per-statement socket
 * writes and planning were most of the e-mail path's cost in a profile). Each caller still gets
 * its own answer or the statement's error, exactly as if it had run alone.
 *
 * `key` keeps two calls about the same thing out of one statement, and out of two statements
 * in flight at once: the later one waits until the first's statement has ended, so it sees what
 * the first did. Calls go in the order they were made (a batch ends at the first call that must
 * wait). Up to `maxInFlight` statements run at once, so callers do not queue behind one slow
 * round trip; two statements in flight may commit in either order.
 */
export class CoalescedStatement<In, Out> {
  private waiting: Waiter<In, Out>[] = [];
  private inFlight = 0;
  private readonly busyKeys = new Set<string>();
  private scheduled = false;

  constructor(
    private readonly run: (inputs: In[]) => Promise<Out[]>,
    private readonly key: (input: In) => string | string[],
    private readonly maxBatch = 500,
    private readonly maxInFlight = 1,
  ) {}

  call(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      const k = this.key(input);
      this.waiting.push({ input, keys: Array.isArray(k) ? k : [k], resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.inFlight >= this.maxInFlight || this.scheduled) return;
    this.scheduled = true;
    // The rest of this turn of the event loop joins the statement too.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.maxInFlight || !this.waiting.length) return;
    const batch: Waiter<In, Out>[] = [];
    const later: Waiter<In, Out>[] = [];
    const keys = new Set<string>();
    for (const w of this.waiting) {
      if (later.length || batch.length >= this.maxBatch || w.keys.some((k) => keys.has(k) || this.busyKeys.has(k))) later.push(w);
      else {
        for (const k of w.keys) keys.add(k);
        batch.push(w);
      }
    }
    this.waiting = later;
    // Everything waits on a statement in flight: its end schedules the next.
    if (!batch.length) return;
    this.inFlight++;
    for (const k of keys) this.busyKeys.add(k);
    try {
      const out = await this.run(batch.map((w) => w.input));
      batch.forEach((w, i) => w.resolve(out[i]));
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.inFlight--;
      for (const k of keys) this.busyKeys.delete(k);
      if (this.waiting.length) this.schedule();
    }
  }
}
