import { Transform } from 'node:stream';
import { DomainError } from '../infra/errors/domain-error';
import { MAX_CSV_RECORD_CHARS } from './upload-limits';

/**
 * Passes CSV text through unchanged, failing the stream once one record (a line, or several
 * when a quoted field holds line breaks) grows past MAX_CSV_RECORD_CHARS. The parser would
 * otherwise gather an endless line, or everything after an unclosed quote, into one string.
 * Follows quotes as RFC 4180 does (a doubled quote closes and reopens), with native searches.
 */
export function csvRecordGuard(limit = MAX_CSV_RECORD_CHARS): Transform {
  let inQuotes = false;
  let length = 0; // characters of the record read so far
  return new Transform({
    decodeStrings: false,
    encoding: 'utf8',
    transform(chunk: string, _encoding, done) {
      let at = 0;
      // The next quote and line break at or after `at`: -1 when there is none, -2 not yet looked for.
      let quote = -2;
      let newline = -2;
      while (at < chunk.length) {
        if (quote !== -1 && quote < at) quote = chunk.indexOf('"', at);
        if (inQuotes) {
          const end = quote < 0 ? chunk.length : quote + 1;
          length += end - at;
          at = end;
          if (quote >= 0) inQuotes = false;
        } else {
          if (newline !== -1 && newline < at) newline = chunk.indexOf('\n', at);
          if (newline >= 0 && (quote < 0 || newline < quote)) {
            length += newline - at;
            if (length > limit) break;
            length = 0;
            at = newline + 1;
            continue;
          }
          const end = quote < 0 ? chunk.length : quote + 1;
          length += end - at;
          at = end;
          if (quote >= 0) inQuotes = true;
        }
        if (length > limit) break;
      }
      if (length > limit) {
        done(new DomainError('file_rejected',
          `The CSV file has a row longer than ${limit.toLocaleString('en-GB')} characters (or a quote that is never closed): check that it is a sample file saved as CSV UTF-8, correct the row and upload it again`,
          [{ where: 'file', message: `a row is longer than ${limit.toLocaleString('en-GB')} characters` }]));
        return;
      }
      done(null, chunk);
    },
  });
}
