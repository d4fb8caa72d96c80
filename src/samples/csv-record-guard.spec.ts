import { Readable } from 'node:stream';
import { csvRecordGuard } from './csv-record-guard';

/** Text through the guard in chunks of `size` characters; the text back, or the refusal. */
async function pass(text: string, size: number, limit: number): Promise<string> {
  const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
  let out = '';
  for await (const chunk of Readable.from(chunks).pipe(csvRecordGuard(limit))) out += chunk;
  return out;
}

describe('CSV record guard', () => {
  const row = '"RXX","PRN1","12, ""Rose Cottage""","Line\r\nBreak Lane","",""\r\n';

  it('passes quoted records of any length up to the limit, however the chunks split quotes and lines', async () => {
    const text = row.repeat(500);
    for (const size of [1, 2, 3, 7, 64, 1000, text.length]) {
      await expect(pass(text, size, row.length)).resolves.toBe(text);
    }
  });

  it('refuses a line longer than the limit, and a quote never closed, wherever the chunks split', async () => {
    for (const size of [1, 5, 100]) {
      await expect(pass(`a,b\n${'x'.repeat(101)}`, size, 100)).rejects.toMatchObject({ code: 'file_rejected' });
      await expect(pass(`a,b\n"open,${'line\n'.repeat(30)}`, size, 100)).rejects.toMatchObject({ code: 'file_rejected' });
    }
    await expect(pass(`a,b\n${'x'.repeat(100)}\n`, 7, 100)).resolves.toBeDefined();
  });
});
