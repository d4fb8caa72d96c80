import { dateParts, parseDateParts } from './date-input';

const parse = (day: string, month: string, year: string) => parseDateParts({ day, month, year }, 'the date of birth');

describe('the three-field date input (Day, Month, Year)', () => {
  it('reads a real date into its ISO form, with or without leading zeros', () => {
    expect(parse('27', '3', '1950')).toEqual({ iso: '1950-03-27' });
    expect(parse('07', '03', '1950')).toEqual({ iso: '1950-03-07' });
    expect(parse(' 29 ', '2', '1952')).toEqual({ iso: '1952-02-29' });
  });

  it('is empty when no box is filled', () => {
    expect(parse('', '', '')).toEqual({ empty: true });
  });

  it('refuses a date that does not exist with a sentence saying what to enter', () => {
    expect(parse('31', '2', '1950')).toEqual({ error: 'Enter the date of birth as a real date, for example 27 3 1950.' });
    expect(parse('29', '2', '1950')).toEqual({ error: 'Enter the date of birth as a real date, for example 27 3 1950.' });
    expect(parse('1', '13', '1950')).toEqual({ error: 'Enter the date of birth as a real date, for example 27 3 1950.' });
    expect(parse('0', '1', '1950')).toEqual({ error: 'Enter the date of birth as a real date, for example 27 3 1950.' });
  });

  it('names the missing box, refuses words and short years, and dates in the future', () => {
    expect(parse('27', '', '1950')).toEqual({ error: 'Enter the date of birth with a month, for example 27 3 1950.' });
    expect(parse('', '', '1950')).toEqual({ error: 'Enter the date of birth with a day and a month, for example 27 3 1950.' });
    expect(parse('27', 'March', '1950')).toEqual({ error: 'Enter the date of birth in numbers, with a 4-digit year, for example 27 3 1950.' });
    expect(parse('27', '3', '50')).toEqual({ error: 'Enter the date of birth in numbers, with a 4-digit year, for example 27 3 1950.' });
    expect(parse('1', '1', '1850')).toEqual({ error: 'Enter the date of birth as a year from 1880 on, for example 27 3 1950.' });
    expect(parse('1', '1', String(new Date().getUTCFullYear() + 1))).toEqual({ error: 'Enter the date of birth, which must be today or in the past, for example 27 3 1950.' });
  });

  it('reads the boxes by name and ignores anything that is not text', () => {
    expect(dateParts({ 'dateOfBirth-day': '27', 'dateOfBirth-month': ['3'], 'dateOfBirth-year': '1950' }, 'dateOfBirth'))
      .toEqual({ day: '27', month: '', year: '1950' });
  });
});
