/**
 * What a sample file may expand to while it is read. A trust sends up to ~10,000 rows of ~25
 * columns; the limits leave room for a whole national sample (150,000 rows) in one file, and
 * stop a small hostile file (a "zip bomb", an endless CSV line) long before memory runs out.
 * They are checked on the bytes actually read and inflated, not on what a file says of itself.
 */
const MB = 1024 * 1024;

/** A workbook from Excel holds 10–20 parts; many sheets, images and pivot caches stay far below this. */
export const MAX_ZIP_ENTRIES = 1_000;

/**
 * The worksheet's XML. 150,000 rows × 25 cells written as inline strings (the largest layout,
 * ~70 bytes a cell) come to ~260 MB; sheets with shared strings are a third of that.
 */
export const MAX_WORKSHEET_BYTES = 512 * MB;

/**
 * The shared strings table, held in memory for the whole read. 150,000 rows × 8 distinct text
 * cells (names, address lines, postcode, record number, e-mail) of ~15 characters is 1.2 million
 * strings, 18 million characters and ~40 MB of XML; these limits leave room above that.
 */
export const MAX_SHARED_STRINGS_BYTES = 96 * MB;
export const MAX_SHARED_STRINGS = 2_000_000;
export const MAX_SHARED_STRINGS_CHARS = 50_000_000;

/** workbook.xml and styles.xml: kilobytes in practice, a few MB in workbooks bloated with styles. */
export const MAX_SMALL_PART_BYTES = 16 * MB;

/** Everything the zip declares, parts we never read included (images, printer settings, …). */
export const MAX_TOTAL_UNCOMPRESSED_BYTES = 1024 * MB;

/**
 * Spreadsheet XML compresses 5–30×, rarely past 100×; DEFLATE cannot exceed ~1,030×, which is
 * what bombs use. Checked once a part has inflated past RATIO_FLOOR_BYTES, since a tiny part
 * (an empty sheet, a run of zeros) may legitimately compress far better.
 */
export const MAX_COMPRESSION_RATIO = 200;
export const RATIO_FLOOR_BYTES = 1 * MB;

/**
 * XML read between two rows of the worksheet, or one text run between two tags anywhere. A row
 * of 50 cells each at Excel's maximum of 32,767 characters (escaped) fits; a "row" or "cell"
 * that never ends is cut off here instead of being held whole in memory.
 */
export const MAX_ROW_XML_BYTES = 16 * MB;
export const MAX_XML_TEXT_RUN = 1 * MB;

/** Excel's own limit for one cell's text. */
export const MAX_CELL_CHARS = 32_767;

/**
 * One CSV record (a line, or several when a quoted field holds line breaks). A real record is
 * under 1 KB; this leaves room for 50 columns of long addresses and stops an endless line or
 * an unclosed quote from being gathered into one string.
 */
export const MAX_CSV_RECORD_CHARS = 64 * 1024;

/** Columns read from a row; a sample has ~25, cells further right are never looked at. */
export const MAX_COLUMNS = 256;

export const megabytes = (bytes: number) => `${Math.round(bytes / MB).toLocaleString('en-GB')} MB`;

/**
 * Row problems (rejections and warnings) in one file's report. A file this wrong is far past
 * the share of rejected rows any survey accepts; beyond it the file is refused outright instead
 * of reporting every cell. (Patient rows in one file: the SAMPLE_MAX_ROWS setting.)
 */
export const MAX_ROW_PROBLEMS = 300_000;
