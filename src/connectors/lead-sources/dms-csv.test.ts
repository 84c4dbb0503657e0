import { describe, expect, it } from 'vitest';
import { csvMappingSchema } from '../../contracts/lead-sources.js';
import { AppError } from '../../platform/errors.js';
import { decodeCsv, dmsTime, parseLeadCsv } from './dms-csv.js';

const NOW = new Date('2026-03-10T00:00:00Z');
const ctx = { now: NOW, dealerCodes: null };
const mapping = csvMappingSchema.parse({
  columns: { 线索编号: 'externalId', 客户姓名: 'name', 手机号: 'phone', 城市: 'city', 意向车系: 'series', 经销商代码: 'dealerCode', 创建时间: 'createdAt' },
});
const HEADER = '线索编号,客户姓名,手机号,城市,意向车系,经销商代码,创建时间';

function problemsOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('DMS CSV mapping', () => {
  it('maps each row to a lead: China-time dates, the row kept as raw, defaults from the mapping', () => {
    const text = `\ufeff${HEADER}\r\nD001,张三,139 1000 0001,上海,汉,SH001,2026-03-01 10:00\r\nD002,李四,13910000002,杭州,唐,,2026/3/2 9:05:30\r\n\r\n`;
    const { rows, inputs } = parseLeadCsv(text, { ...mapping, dealerCode: 'HZ001', channel: 'dms_export' }, ctx);
    expect(rows).toBe(2);
    expect(inputs).toEqual([
      {
        source: 'dms',
        externalId: 'D001',
        channel: 'dms_export',
        name: '张三',
        phone: '139 1000 0001',
        city: '上海',
        series: '汉',
        dealerCode: 'SH001',
        createdAt: '2026-03-01T02:00:00.000Z',
        raw: { 线索编号: 'D001', 客户姓名: '张三', 手机号: '139 1000 0001', 城市: '上海', 意向车系: '汉', 经销商代码: 'SH001', 创建时间: '2026-03-01 10:00' },
      },
      expect.objectContaining({ externalId: 'D002', dealerCode: 'HZ001', createdAt: '2026-03-02T01:05:30.000Z' }),
    ]);
  });

  it('names every bad row as a spreadsheet numbers it (header = row 1), with field and column', () => {
    const text = [HEADER, 'D001,张三,13910000001,上海,汉,SH001,2026-03-01 10:00', 'D002,李四,abc,上海,汉,SH001,2026-03-01 10:00', 'D003,王五,13910000003,上海,汉,SH001,昨天', 'D004,赵六,12345,上海,汉', 'D005,孙七,13910000005,上海,汉,SH001,2026-03-12 10:00'].join('\n');
    expect(problemsOf(() => parseLeadCsv(text, mapping, ctx))).toEqual({
      message: expect.stringMatching(/^row 3 \(phone, column "手机号"\): phone must be a phone number .*\(and 3 more problems\); nothing was imported$/),
      details: {
        count: 4,
        problems: [
          { row: 3, field: 'phone', column: '手机号', message: expect.stringContaining('phone must be a phone number') },
          { row: 4, field: 'createdAt', column: '创建时间', message: expect.stringContaining('ISO-8601') },
          { row: 5, field: 'row', column: null, message: 'has 5 cells; the header has 7' },
          { row: 6, field: 'createdAt', column: '创建时间', message: expect.stringContaining('is in the future') },
        ],
      },
    });
    const shortPhone = [HEADER, 'D001,张三,12345,上海,汉,SH001,2026-03-01 10:00'].join('\n');
    expect(problemsOf(() => parseLeadCsv(shortPhone, mapping, ctx))).toMatchObject({ details: { problems: [{ row: 2, field: 'phone', message: expect.stringContaining('not a mainland China mobile') }] } });
  });

  it('refuses a repeated lead id, an unknown column, a file without rows; dealer staff only for their dealers', () => {
    const repeated = [HEADER, 'D001,张三,13910000001,上海,汉,SH001,2026-03-01 10:00', 'D001,张三,13910000009,上海,汉,SH001,2026-03-01 10:00'].join('\n');
    expect(problemsOf(() => parseLeadCsv(repeated, mapping, ctx))).toMatchObject({ details: { problems: [{ row: 3, field: 'externalId', message: '"D001" is also on row 2; each row must be a different lead' }] } });
    expect(problemsOf(() => parseLeadCsv('编号,电话\n1,13910000001', mapping, ctx))).toMatchObject({ message: expect.stringContaining('the mapping names columns "线索编号", "客户姓名"') });
    expect(problemsOf(() => parseLeadCsv(HEADER, mapping, ctx))).toMatchObject({ message: 'the CSV has a header but no rows of leads' });
    expect(problemsOf(() => parseLeadCsv('a,"b', mapping, ctx))).toMatchObject({ message: expect.stringContaining('the CSV cannot be read') });
    const other = [HEADER, 'D001,张三,13910000001,上海,汉,HZ001,2026-03-01 10:00', 'D002,李四,13910000002,上海,汉,,2026-03-01 10:00'].join('\n');
    expect(problemsOf(() => parseLeadCsv(other, mapping, { now: NOW, dealerCodes: ['SH001'] }))).toMatchObject({
      details: { count: 1, problems: [{ row: 2, field: 'dealerCode', column: '经销商代码', message: 'no dealer with code "HZ001"' }] },
    });
    expect(problemsOf(() => parseLeadCsv(other, mapping, { now: NOW, dealerCodes: ['HZ001', 'SH001'] }))).toMatchObject({
      details: { count: 1, problems: [{ row: 3, field: 'dealerCode', message: 'dealerCode is required: you work for several dealers (HZ001, SH001)' }] },
    });
  });

  it('derives stable ids without an id column: the same file again is the same leads, an identical row the same lead', () => {
    const m = csvMappingSchema.parse({ columns: { 手机号: 'phone', 城市: 'city' } });
    const text = '手机号,城市\n13910000001,上海\n13910000002,杭州\n13910000001,上海\n';
    const first = parseLeadCsv(text, m, ctx);
    expect(first.rows).toBe(3);
    expect(first.inputs.map((l) => l.externalId)).toHaveLength(2);
    expect(first.inputs[0]!.externalId).toMatch(/^row:[0-9a-f]{40}$/);
    expect(parseLeadCsv(text, m, ctx).inputs.map((l) => l.externalId)).toEqual(first.inputs.map((l) => l.externalId));
  });

  it('reads UTF-8 with a BOM and GB18030 (GBK) bytes; times in China time or with a zone', () => {
    expect(decodeCsv(Buffer.from('\ufeff城市\n上海\n', 'utf8'))).toBe('城市\n上海\n');
    // 城市\n上海\n in GBK.
    expect(decodeCsv(Buffer.from([0xb3, 0xc7, 0xca, 0xd0, 0x0a, 0xc9, 0xcf, 0xba, 0xa3, 0x0a]))).toBe('城市\n上海\n');
    expect(decodeCsv(Buffer.from([0xc9, 0xcf, 0xba, 0xa3]), 'gbk')).toBe('上海');
    expect(() => decodeCsv(Buffer.from('x'), 'klingon')).toThrow(/charset klingon/);
    expect(dmsTime('2026-03-01')).toBe('2026-02-28T16:00:00.000Z');
    expect(dmsTime('2026-03-01T10:00:00+08:00')).toBe('2026-03-01T02:00:00.000Z');
    expect(dmsTime('someday')).toBe('someday');
  });
});
