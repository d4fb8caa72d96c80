// exceljs's streaming worksheet parser and its SAX helper, used on parts we inflate ourselves
// (src/samples/xlsx-reader.ts). The package has no "exports" map, so these paths resolve.
declare module 'exceljs/lib/stream/xlsx/worksheet-reader' {
  interface StreamRow { number: number; values: unknown[] }
  interface StyleSource { getStyleModel(id: number): object | null }
  class WorksheetReader {
    constructor(args: {
      workbook: { sharedStrings: unknown[]; styles: StyleSource; properties: { model: { date1904: boolean } } };
      id: number;
      iterator: AsyncIterable<string>;
      options: { worksheets: 'emit'; hyperlinks: 'ignore' };
    });
    [Symbol.asyncIterator](): AsyncIterator<StreamRow>;
  }
  export = WorksheetReader;
}

declare module 'exceljs/lib/utils/parse-sax' {
  type SaxEvent =
    | { eventType: 'opentag'; value: { name: string; attributes: Record<string, string> } }
    | { eventType: 'text'; value: string }
    | { eventType: 'closetag'; value: { name: string } };
  function parseSax(chunks: AsyncIterable<string>): AsyncIterable<SaxEvent[]>;
  export = parseSax;
}

declare module 'exceljs/lib/utils/utils' {
  export function isDateFmt(format: string): boolean;
}
