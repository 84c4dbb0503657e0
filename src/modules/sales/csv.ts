import { CsvError, parse } from 'csv-parse/sync';
import { AFTER_SALES_CSV_FIELDS, afterSalesCreateSchema, type AfterSalesCreate, type AfterSalesCsvField, type AfterSalesImportQuery } from '../../contracts/sales.js';
import { AppError } from '../../platform/errors.js';

/**
 * Reading an after-sales CSV export (a DMS's): a header row, then one record per row. Each field is
 * read from the column the query maps it to (`map.kind=业务类型`) or from a column of its own name.
 * Kinds may be the codes or the usual Chinese labels; amounts in fen (`amountFen`) or in yuan with at
 * most two decimals (`amountYuan`); times ISO-8601 with a zone, or `YYYY-MM-DD[ HH:mm[:ss]]` read as
 * China time (UTC+8).
 */

export const MAX_IMPORT_ROWS = 20_000;

export interface RowProblem {
  /** Line of the file the record ends on, the header being line 1. */
  row: number;
  field: string | null;
  message: string;
  code?: string;
}

const KIND_LABELS: Record<string, string> = {
  首保: 'first_maintenance',
  首次保养: 'first_maintenance',
  保养: 'maintenance',
  定保: 'maintenance',
  维修: 'repair',
  续保: 'insurance_renewal',
  保险续保: 'insurance_renewal',
  精品: 'accessories',
  附件: 'accessories',
  精品附件: 'accessories',
  置换评估: 'trade_in_appraisal',
  二手车评估: 'trade_in_appraisal',
};

const LOCAL_TIME = /^(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$/;

/** A time without a zone is China time; date only: midnight. */
function toIsoInput(value: string): string {
  const m = LOCAL_TIME.exec(value);
  if (!m) return value;
  const [, date = '', time = '00:00'] = m;
  return `${date}T${time.length === 4 ? `0${time}` : time}+08:00`;
}

function yuanToFen(value: string): number | null {
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(value.replace(/,/g, ''));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

function columnsOf(header: string[], query: AfterSalesImportQuery): { columns: Partial<Record<AfterSalesCsvField, number>>; problems: RowProblem[] } {
  const columns: Partial<Record<AfterSalesCsvField, number>> = {};
  const problems: RowProblem[] = [];
  for (const field of AFTER_SALES_CSV_FIELDS) {
    const mapped = query[`map.${field}`];
    const name = mapped ?? field;
    const index = header.indexOf(name);
    if (index >= 0) columns[field] = index;
    else if (mapped !== undefined) problems.push({ row: 1, field, message: `the header has no column "${mapped}" (mapped to ${field}); columns: ${header.join(', ')}` });
  }
  if (columns.kind === undefined) problems.push({ row: 1, field: 'kind', message: 'no column for kind: name one with map.kind=<column>' });
  if (columns.at === undefined) problems.push({ row: 1, field: 'at', message: 'no column for at: name one with map.at=<column>' });
  if ((columns.amountFen === undefined) === (columns.amountYuan === undefined)) {
    problems.push({ row: 1, field: 'amountFen', message: 'map exactly one of amountFen (integer fen) or amountYuan (yuan, up to 2 decimals)' });
  }
  if (columns.vin === undefined && columns.profileId === undefined) problems.push({ row: 1, field: 'vin', message: 'no column for vin or profileId: name one with map.vin=<column>' });
  return { columns, problems };
}

function readRow(cells: string[], row: number, columns: Partial<Record<AfterSalesCsvField, number>>): { input?: AfterSalesCreate; problems: RowProblem[] } {
  const cell = (f: AfterSalesCsvField): string | undefined => {
    const i = columns[f];
    const v = i === undefined ? undefined : cells[i]?.trim();
    return v === '' ? undefined : v;
  };
  const problems: RowProblem[] = [];
  let amountFen: unknown = undefined;
  const yuan = cell('amountYuan');
  const fen = cell('amountFen');
  if (yuan !== undefined) {
    amountFen = yuanToFen(yuan);
    if (amountFen === null) problems.push({ row, field: 'amountYuan', message: `"${yuan}" is not an amount in yuan with at most 2 decimals` });
  } else if (fen !== undefined) {
    amountFen = /^\d{1,16}$/.test(fen) ? Number(fen) : fen;
  }
  const kind = cell('kind');
  const at = cell('at');
  const candidate = {
    externalId: cell('externalId'),
    profileId: cell('profileId'),
    vin: cell('vin'),
    dealerCode: cell('dealerCode'),
    kind: kind === undefined ? undefined : (KIND_LABELS[kind] ?? kind),
    amountFen,
    at: at === undefined ? undefined : toIsoInput(at),
    note: cell('note'),
  };
  if (problems.length > 0) return { problems };
  const result = afterSalesCreateSchema.safeParse(candidate);
  if (result.success) return { input: result.data, problems };
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : null;
    problems.push({ row, field, message: `${field ?? 'row'}: ${issue.message}` });
  }
  return { problems };
}

/** The file's records (validated in shape) or every problem found, each naming its row. */
export function readAfterSalesCsv(text: string, query: AfterSalesImportQuery): { rows: Array<{ row: number; input: AfterSalesCreate }>; problems: RowProblem[] } {
  let records: string[][];
  // The line each record ends on (what a person finds in an editor or a spreadsheet).
  const lines: number[] = [];
  try {
    records = parse(text, {
      bom: true,
      delimiter: query.delimiter,
      skip_empty_lines: true,
      on_record: (record, context) => {
        lines.push(context.lines);
        return record;
      },
    });
  } catch (err) {
    if (err instanceof CsvError) throw new AppError('invalid_request', `the file is not valid CSV: ${err.message}`, { code: err.code });
    throw err;
  }
  const [header, ...data] = records;
  if (!header) throw new AppError('invalid_request', 'the file is empty: send a header row and at least one record');
  if (data.length > MAX_IMPORT_ROWS) {
    throw new AppError('invalid_request', `the file has ${data.length} records; import at most ${MAX_IMPORT_ROWS} per request`, { maxRows: MAX_IMPORT_ROWS });
  }
  const { columns, problems } = columnsOf(
    header.map((h) => h.trim()),
    query,
  );
  if (problems.length > 0) return { rows: [], problems };
  const rows: Array<{ row: number; input: AfterSalesCreate }> = [];
  data.forEach((cells, i) => {
    const row = lines[i + 1] ?? i + 2;
    const read = readRow(cells, row, columns);
    problems.push(...read.problems);
    if (read.input) rows.push({ row, input: read.input });
  });
  if (rows.length === 0 && problems.length === 0) problems.push({ row: 2, field: null, message: 'the file has a header but no records' });
  return { rows, problems };
}
