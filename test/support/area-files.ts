import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from './sample-files';

export const AREA_HEADER = 'postcode,imd_decile,sub_icb_code,icb_code,icb_name,cancer_alliance_code,cancer_alliance_name';

/** A clearly synthetic area lookup row: postcode, decile, sub-ICB, then its ICB and alliance. */
export function areaRow(postcode: string, decile: number | '', subIcb: string, icb = 'QWO', alliance = 'E56000099'): string {
  const icbName = `Synthetic ${icb} Integrated Care Board`;
  return [postcode, decile, subIcb, icb, icbName, alliance, `Synthetic Cancer Alliance ${alliance}`].join(',');
}

/** Writes an area lookup CSV (header first) under the worker's storage folder and returns its path. */
export function areaFile(name: string, rows: string[], header = AREA_HEADER): string {
  const path = join(tmp, name);
  writeFileSync(path, [header, ...rows].join('\r\n') + '\r\n');
  return path;
}

/**
 * `count` distinct synthetic postcodes (ZY00 0AA, ZY01 0AA, …: no real area starts ZY), written
 * line by line into one string, with deciles and sub-ICBs spread over a few synthetic codes.
 */
export function generatedAreaFile(name: string, count: number): string {
  const lines = [AREA_HEADER];
  for (let n = 0; n < count; n++) {
    const rest = Math.floor(n / 100);
    const letters = Math.floor(rest / 10);
    const postcode = `ZY${String(n % 100).padStart(2, '0')} ${rest % 10}${String.fromCharCode(65 + Math.floor(letters / 26))}${String.fromCharCode(65 + (letters % 26))}`;
    const sub = n % 7;
    lines.push(areaRow(postcode, (n % 10) + 1, `9${sub}Z`, `QZ${sub % 3}`, `E5600009${sub % 3}`));
  }
  const path = join(tmp, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}
