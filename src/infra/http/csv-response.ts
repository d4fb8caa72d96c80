import type { Request, Response } from 'express';

/** ?format=csv, or no format and an Accept header that prefers text/csv. */
export const wantsCsv = (req: Request, format: string | undefined) =>
  format === 'csv' || (!format && req.accepts(['application/json', 'text/csv']) === 'text/csv');

/** Sends CSV text as a download named fileName. */
export function csvDownload(res: Response, fileName: string, body: string): string {
  res.type('text/csv; charset=utf-8');
  res.attachment(fileName);
  return body;
}
