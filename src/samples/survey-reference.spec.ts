import { ACCESS_CODE_ALPHABET, checkDigit, checkDigitTables, formatReference, newAccessCode, parseReference } from './survey-reference';

describe('survey references and access codes', () => {
  it('formats trust, six digits and a check digit', () => {
    expect(formatReference('RXX', 4821)).toMatch(/^RXX-004821-\d$/);
    expect(parseReference(formatReference('RXX', 4821))).toEqual({ ok: true, reference: formatReference('RXX', 4821), trustCode: 'RXX', sequence: 4821 });
  });

  it('keeps the check digits already printed on letters (Damm over trust letters as 10..35, then the number)', () => {
    expect(['RXX-004821', 'RXX-000001', 'R1H-999999', 'RTH-120034'].map((r) => checkDigit(r.slice(0, 3), Number(r.slice(4)))))
      .toEqual([0, 6, 8, 3]);
    expect(formatReference('RXX', 4821)).toBe('RXX-004821-0');
  });

  it('gives the same check digit from the two lookup tables the import uses in SQL', () => {
    for (const trust of ['RXX', 'R1H', 'RTH']) {
      const { afterHigh, afterLow } = checkDigitTables(trust);
      for (const sequence of [1, 999, 1000, 4821, 120034, 999_999, ...Array.from({ length: 500 }, (_, i) => i * 1999 + 7)]) {
        expect(afterLow[afterHigh[Math.floor(sequence / 1000)] * 1000 + (sequence % 1000)]).toBe(checkDigit(trust, sequence));
      }
    }
  });

  it('accepts a reference typed loosely', () => {
    const ref = formatReference('RXX', 4821);
    const loose = ref.toLowerCase().replace(/-/g, ' ');
    expect(parseReference(loose)).toMatchObject({ ok: true, reference: ref });
  });

  it('catches every single-character mistake and every adjacent swap in the number', () => {
    const trust = 'R1H';
    for (let seq = 1; seq < 3000; seq += 7) {
      const good = formatReference(trust, seq);
      const chars = good.replace(/-/g, '').split('');
      for (let i = 3; i < chars.length; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === chars[i]) continue;
          const typo = [...chars];
          typo[i] = String(d);
          expect(parseReference(typo.join('')).ok).toBe(false);
        }
        if (i + 1 < chars.length && chars[i] !== chars[i + 1]) {
          const swapped = [...chars];
          [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
          expect(parseReference(swapped.join('')).ok).toBe(false);
        }
      }
    }
  });

  it('ties the check digit to the trust, so another trust\'s prefix fails', () => {
    const wrongTrust = ['RYY', 'RXY', 'RAX'].filter((t) => checkDigit(t, 4821) !== checkDigit('RXX', 4821));
    for (const t of wrongTrust) expect(parseReference(`${t}-004821-${checkDigit('RXX', 4821)}`).ok).toBe(false);
    expect(wrongTrust.length).toBeGreaterThan(0);
  });

  it('refuses malformed references', () => {
    expect(parseReference('RXX-4821-7')).toEqual({ ok: false, problem: 'format' });
    expect(parseReference('')).toEqual({ ok: false, problem: 'format' });
  });

  it('makes access codes of unambiguous characters, all different', () => {
    const codes = new Set(Array.from({ length: 20_000 }, newAccessCode));
    expect(codes.size).toBe(20_000);
    for (const code of [...codes].slice(0, 500)) {
      expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      for (const ch of code.replace(/-/g, '')) expect(ACCESS_CODE_ALPHABET).toContain(ch);
      expect(code).not.toMatch(/[01OILS5]/);
    }
  });
});
