import { describe, expect, it } from 'vitest';
import { afterSalesImportQuery } from '../../contracts/sales.js';
import { isAppError } from '../../platform/errors.js';
import { readAfterSalesCsv } from './csv.js';

const VIN = 'LSVAU2187N2123456';
const q = (query: Record<string, string> = {}) => afterSalesImportQuery.parse(query);

describe('after-sales CSV reading', () => {
  it('reads fields by their own column names, a BOM, quoted line breaks, and names rows by file line', () => {
    const text = `\ufeffexternalId;vin;kind;amountFen;at;note\nR1;${VIN};repair;100;2026-03-01T00:00:00Z;"two\nlines"\n\nR2;${VIN};bad;1;2026-03-01;x\n`;
    const read = readAfterSalesCsv(text, q({ delimiter: ';' }));
    expect(read.rows).toEqual([{ row: 3, input: { externalId: 'R1', vin: VIN, kind: 'repair', amountFen: 100, at: '2026-03-01T00:00:00.000Z', note: 'two\nlines' } }]);
    expect(read.problems).toEqual([{ row: 5, field: 'kind', message: expect.stringContaining('kind must be one of') }]);
  });

  it('maps Chinese headers and labels; yuan become fen; local times are China time', () => {
    const text = `单号,车架号,类型,金额\nA,${VIN},续保,"3,000.5"`;
    const read = readAfterSalesCsv(text, q({ 'map.externalId': '单号', 'map.vin': '车架号', 'map.kind': '类型', 'map.amountYuan': '金额', 'map.at': '单号' }));
    expect(read.problems).toEqual([{ row: 2, field: 'at', message: expect.any(String) }]);
    const ok = readAfterSalesCsv(`单号,车架号,类型,金额,日期\nA,${VIN},续保,"3,000.5",2026-03-01 8:05`, q({ 'map.externalId': '单号', 'map.vin': '车架号', 'map.kind': '类型', 'map.amountYuan': '金额', 'map.at': '日期' }));
    expect(ok.rows).toEqual([{ row: 2, input: { externalId: 'A', vin: VIN, kind: 'insurance_renewal', amountFen: 300_050, at: '2026-03-01T00:05:00.000Z' } }]);
  });

  it('refuses a file without the needed columns, malformed CSV and an empty file', () => {
    expect(readAfterSalesCsv('vin,kind,at\nx,repair,2026-03-01', q()).problems).toEqual([{ row: 1, field: 'amountFen', message: expect.stringContaining('amountYuan') }]);
    expect(readAfterSalesCsv('vin,kind,at,amountFen\n', q()).problems).toEqual([{ row: 2, field: null, message: 'the file has a header but no records' }]);
    for (const text of ['', 'a,b\n"unterminated,1']) {
      try {
        readAfterSalesCsv(text, q());
        expect.unreachable();
      } catch (err) {
        expect(isAppError(err) && err.code).toBe('invalid_request');
      }
    }
  });
});
