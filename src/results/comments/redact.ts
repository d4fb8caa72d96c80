/**
 * Redaction of patients' comments (RESULTS-METHOD "Free text"): what is shown, exported or kept
 * after the purge. Two passes, both pure:
 *  1. the patient's own identifiers, in whatever case or spacing they were written;
 *  2. anything SHAPED like a UK phone number, an e-mail address, an NHS number, a UK postcode
 *     or a date, whoever's it is (a relative's phone, a neighbour's postcode, a date of surgery).
 * Everything else stays, including staff names ("Dr Patel was kind"): only the patient's own
 * name is listed for removal, and praise of a named nurse is often the point of the comment.
 *
 * Every pattern is linear: single character classes with bounded repetition, no nested
 * quantifiers, so a hostile 10,000-character answer cannot stall the service.
 */

export const REMOVED = '[removed]';

/** What the sample file said about the patient (null once purged: the text is redacted by then). */
export interface PatientIdentifiers {
  title?: string | null;
  firstName?: string | null;
  surname?: string | null;
  addressLines?: (string | null)[] | null;
  postcode?: string | null;
  nhsNumber?: string | null;
  /** ISO date (YYYY-MM-DD) or a Date. */
  dateOfBirth?: string | Date | null;
  email?: string | null;
  mobile?: string | null;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * Letters or digits either side: a name is a whole word ("Al" never touches "also"). Latin
 * letters with their accented forms, spelt out: a regular expression naming \p{L} takes
 * milliseconds to compile, and the patient's own patterns are compiled once per patient.
 */
const WORD = 'A-Za-z0-9\\u00AA\\u00B5\\u00BA\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F\\u1E00-\\u1EFF';
const BEFORE = `(?<![${WORD}])`;
const AFTER = `(?![${WORD}])`;
/** A literal phrase in any case, any run of spaces or hyphens where it had one. */
const phrase = (s: string) => s.trim().split(/[\s\-]+/).filter(Boolean).map(escape).join('[\\s\\-]+');

/** Names of this many letters or fewer are removed only within the full name: alone they are ordinary words ("Al", "Jo", "An"). */
const SHORT_NAME = 2;

function ownPatterns(who: PatientIdentifiers): string[] {
  const out: string[] = [];
  const first = who.firstName?.trim() ?? '';
  const surname = who.surname?.trim() ?? '';
  const title = who.title?.trim().replace(/\.$/, '') ?? '';
  if (first && surname) out.push(phrase(`${first} ${surname}`));
  if (title && surname) out.push(`${escape(title)}\\.?\\s+${phrase(surname)}`);
  for (const name of [first, surname]) {
    // A double-barrelled or two-word name is removed whole and by each of its parts.
    const parts = name.split(/[\s\-]+/).filter((p) => p.length > SHORT_NAME);
    if (name.replace(/[\s\-]/g, '').length > SHORT_NAME) out.push(phrase(name));
    if (parts.length > 1) out.push(...parts.map(escape));
  }
  for (const line of who.addressLines ?? []) {
    const text = line?.trim() ?? '';
    if (text.length < 3) continue;
    out.push(phrase(text));
    // "17 Marzipan Row" is also written "Marzipan Row".
    const street = text.replace(/^\d+[a-z]?[,\s]+/i, '');
    if (street !== text && street.length >= 6) out.push(phrase(street));
  }
  const postcode = who.postcode?.replace(/\s+/g, '').toUpperCase() ?? '';
  if (postcode.length >= 5) out.push(`${escape(postcode.slice(0, -3))}\\s*${escape(postcode.slice(-3))}`);
  if (who.email?.trim()) out.push(escape(who.email.trim()));
  const dob = isoDate(who.dateOfBirth);
  if (dob) {
    const [y, m, d] = dob.split('-');
    // Numeric and textual forms are caught by the date shapes below; run-together digits are not.
    out.push(`${d}${m}${y}`, `${d}${m}${y.slice(2)}`);
  }
  return out;
}

/**
 * The patient's NHS number and mobile in any spacing ("94 34 76 59 19", "+44 (0)7700 900123"):
 * runs of digits are found by one fixed pattern and compared digit by digit, since a pattern
 * per patient with a separator between every digit takes milliseconds to compile.
 */
const DIGIT_RUN = /(?<![0-9])(?:(?:\+|00)44[\s\-]{0,2}(?:\(0\)[\s\-]{0,2})?)?\(?\d(?:[\s\-.()]{0,2}\d){8,13}(?![0-9])/g;
const ukDigits = (digits: string) => (digits.startsWith('44') ? (digits[2] === '0' ? digits.slice(2) : `0${digits.slice(2)}`) : digits);

function redactOwnNumbers(text: string, who: PatientIdentifiers): string {
  const targets = [who.nhsNumber, who.mobile].map((v) => ukDigits(v?.replace(/\D/g, '') ?? '')).filter((v) => v.length >= 9);
  if (!targets.length) return text;
  return text.replace(DIGIT_RUN, (run) => {
    const international = /^(?:\+|00)44/.test(run);
    let digits = '';
    for (let i = 0; i < run.length; i++) {
      if (run[i] < '0' || run[i] > '9') continue;
      digits += run[i];
      const seen = international ? ukDigits(digits.replace(/^00/, '')) : digits;
      if (targets.includes(seen)) return REMOVED + run.slice(i + 1);
    }
    return run;
  });
}

function isoDate(value: string | Date | null | undefined): string | null {
  if (!value) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : null;
}

const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
/** Month-first dates ("March 3rd") only with a capital month: "we had to march 3 miles" is not a date. */
const MONTH_CAPITAL = '(?:J(?:an(?:uary)?|une?|uly?)|JAN(?:UARY)?|JUNE?|JULY?|F(?:eb(?:ruary)?|EB(?:RUARY)?)|M(?:ar(?:ch)?|ay|AR(?:CH)?|AY)|A(?:pr(?:il)?|ug(?:ust)?|PR(?:IL)?|UG(?:UST)?)|S(?:ep(?:t(?:ember)?)?|EP(?:T(?:EMBER)?)?)|O(?:ct(?:ober)?|CT(?:OBER)?)|N(?:ov(?:ember)?|OV(?:EMBER)?)|D(?:ec(?:ember)?|EC(?:EMBER)?))';
const ORDINAL = '(?:st|nd|rd|th)?';

/** Shapes removed whoever's they are. Each is matched on word boundaries. */
const SHAPES: RegExp[] = [
  // E-mail: the local part from the start of its run only (no re-scan from every character).
  /(?<![\w.%+\-])[\w.%+\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){1,8}/giu,
  // Dates: 03/03/2024, 3.3.24, 3-3-2024, 2024-03-03; "3 March 2024", "3rd of March", "March 3rd, 2024", "March 2024".
  new RegExp(`${BEFORE}\\d{1,2}[/.\\-]\\d{1,2}[/.\\-](?:\\d{4}|\\d{2})${AFTER}`, 'gu'),
  new RegExp(`${BEFORE}\\d{4}-\\d{1,2}-\\d{1,2}${AFTER}`, 'gu'),
  new RegExp(`${BEFORE}\\d{1,2}${ORDINAL}(?:\\s{1,3}of)?\\s{1,3}${MONTH}\\.?(?:,?\\s{1,3}\\d{4})?${AFTER}`, 'giu'),
  new RegExp(`${BEFORE}${MONTH_CAPITAL}\\.?\\s{1,3}(?:\\d{1,2}${ORDINAL}(?:,?\\s{1,3}\\d{4})?|\\d{4})${AFTER}`, 'gu'),
  // NHS number: 10 digits, run together or 3-3-4 with spaces or dashes.
  new RegExp(`${BEFORE}\\d{3}[\\s\\-]?\\d{3}[\\s\\-]?\\d{4}${AFTER}`, 'gu'),
  // UK postcode, with or without its space; the inward code's letters exclude C I K M O V ("M1 2pm" stays).
  new RegExp(`${BEFORE}[a-z]{1,2}\\d[a-z\\d]?\\s{0,2}\\d[abd-hjlnp-uw-z]{2}${AFTER}`, 'giu'),
];

/**
 * A UK phone number starts with 0, (0 or +44 and has 10 or 11 digits (9 or 10 after +44) in
 * groups split by single spaces, dashes, dots or brackets. The run of digit groups is found by
 * one linear pattern; the callback takes the groups that make a whole number, so "0113 496 0000
 * 2 times" loses the number and keeps "2 times".
 */
const PHONE_RUN = /(?<![\w+])(?:\+44|0044|\(?0)[\d ()\-.]{6,24}/gu;

function redactPhones(text: string): string {
  return text.replace(PHONE_RUN, (run) => {
    const prefix = /^(?:\+44|0044)/.exec(run)?.[0] ?? '';
    const wanted = prefix ? [9, 10] : [10, 11];
    const groups = /\d+/g;
    groups.lastIndex = prefix.length;
    let digits = 0;
    let best = -1;
    let previousEnd = prefix.length;
    for (let g = groups.exec(run); g; g = groups.exec(run)) {
      if (g.index - previousEnd > 2) break; // more than a bracket and a space between: something else
      previousEnd = g.index + g[0].length;
      if (prefix && digits === 0 && g[0] === '0') continue; // +44 (0)113…
      // Numbers are written in groups of 3 or more after the area code ("+44 20 7946 0018", "0113 496 0000"):
      // "0113 496 0000 2 times" keeps "2 times".
      if (g[0].length < (digits === 0 ? 2 : 3)) break;
      digits += g[0].length;
      if (digits > wanted[1]) break;
      if (wanted.includes(digits)) best = previousEnd;
    }
    if (best < 0) return run;
    const closing = run[best] === ')' && run.lastIndexOf('(', best) >= 0 ? 1 : 0;
    return REMOVED + run.slice(best + closing);
  });
}

/**
 * A redactor for one patient's comments: their own patterns are compiled once (a few tenths
 * of a millisecond), then each of their answers is redacted with it.
 */
export function redactorFor(who: PatientIdentifiers = {}): (text: string) => string {
  const own = ownPatterns(who).sort((a, b) => b.length - a.length);
  const ownPattern = own.length ? new RegExp(`${BEFORE}(?:${own.join('|')})${AFTER}`, 'gi') : null;
  return (text) => {
    // E-mail addresses first: "jo.smith@…" must go whole, not lose only the patient's surname.
    let out = text.replace(SHAPES[0], REMOVED);
    if (ownPattern) out = out.replace(ownPattern, REMOVED);
    out = redactOwnNumbers(out, who);
    for (const shape of SHAPES.slice(1)) out = out.replace(shape, REMOVED);
    return redactPhones(out);
  };
}

/** The comment with the patient's own identifiers and every identifier-shaped string replaced by [removed]. */
export function redact(text: string, who: PatientIdentifiers = {}): string {
  return redactorFor(who)(text);
}
