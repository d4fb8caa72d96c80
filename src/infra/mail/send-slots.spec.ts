import { SendSlots } from './send-slots';

describe('SendSlots', () => {
  it('hands a slot with what its holder passes on to the next waiting caller, and keeps it when nobody waits', async () => {
    const slots = new SendSlots<string>(1);
    const seen: (string | undefined)[] = [];
    let finishFirst!: () => void;
    const first = slots.run(async (turn) => {
      seen.push(turn.carried);
      await new Promise<void>((r) => { finishFirst = r; });
      expect(turn.handOver('end of first')).toBe(true);
      expect(turn.handOver('again')).toBe(false); // given away already
    });
    const second = slots.run(async (turn) => {
      seen.push(turn.carried);
      expect(turn.handOver('end of second')).toBe(false); // nobody waits: kept until the work ends
    });
    await new Promise((r) => setImmediate(r));
    finishFirst();
    await Promise.all([first, second]);
    expect(seen).toEqual([undefined, 'end of first']);
    // The slot is free again.
    expect(await slots.run(async (turn) => turn.carried ?? 'free')).toBe('free');
  });

  it('never has more holders than slots', async () => {
    const slots = new SendSlots<number>(2);
    let holders = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => slots.run(async (turn) => {
      holders++;
      most = Math.max(most, holders);
      await new Promise((r) => setImmediate(r));
      holders--;
      turn.handOver(i);
    })));
    expect(most).toBe(2);
  });
});
