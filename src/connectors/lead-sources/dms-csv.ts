import { createHash } from 'node:crypto';
import { CsvError, parse } from 'csv-parse/sync';
import { parseDateTime } from '../../contracts/common.js';
import { MAX_IMPORT_ROWS, type CsvMapping, type ImportField, type LeadImportResult } from '../../contracts/lead-sources.js';
import { leadInputSchema, type LeadInput, type LeadInputRaw } from '../../contracts/leads.js';
import type { Principal } from '../../modules/tenancy/index.js';
import { AppError } from '../../platform/errors.js';
import { fromChinaTime } from './ocean-engine-api.js';
import { dealerCodesIn } from './connectors.repo.js';
import { INTAKE_CHUNK, createdAtProblem, phoneProblem, type LeadSourceDeps } from './types.js';
import { intakeLeads } from '../../modules/leads/index.js';

/**
 * CSV import of a DMS export (or any spreadsheet of leads) through a column mapping: every row is
 * checked first (one bad row: 400 naming the rows and fields, nothing stored), then the leads go to
 * the intake in chunks of 500. Rows are numbered as a spreadsheet shows them: the header is row 1.
 */

export type ImportPhase = 'checking rows' | 'importing leads';
export type ImportProgress = (phase: ImportPhase, done: number, total: number) => void;

export interface RowProblem {
  row: number;
  field: string;
  column: string | null;
  message: string;
}

const MAX_PROBLEMS = 100;

/** UTF-8 (with or without a BOM); text that is not valid UTF-8 is read as GB18030 (Excel on Chinese Windows). */
export function decodeCsv(bytes: Uint8Array, charset?: string): string {
  if (charset) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      throw new AppError('invalid_request', `charset ${charset} is not one Siyu reads; send UTF-8 or GB18030 (GBK)`);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** `2026-03-01 10:00[:00]`, `2026/3/1 10:00`, `2026-03-01` (China time) or ISO-8601 with a zone. */
export function dmsTime(value: string): string {
  const v = value.trim();
  const date = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(v);
  if (date) {
    const [, y, mo, d, h = '0', mi = '00', s = '00'] = date;
    const at = fromChinaTime(`${y}-${mo!.padStart(2, '0')}-${d!.padStart(2, '0')} ${h.padStart(2, '0')}:${mi}:${s}`);
    if (at) return at.toISOString();
  }
  const at = parseDateTime(v);
  // Left as it is otherwise: the lead schema names the problem.
  return at ? at.toISOString() : v;
}

function rowError(problems: RowProblem[]): AppError {
  const first = problems[0];
  const where = (p: RowProblem) => `row ${p.row} (${p.field}${p.column ? `, column "${p.column}"` : ''})`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new AppError('invalid_request', first ? `${where(first)}: ${first.message}${more}; nothing was imported` : 'the CSV is invalid', {
    problems: problems.slice(0, MAX_PROBLEMS),
    count: problems.length,
  });
}

function readRecords(text: string): string[][] {
  try {
    return parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (err) {
    if (err instanceof CsvError) throw new AppError('invalid_request', `the CSV cannot be read: ${err.message}`, { csvError: err.code });
    throw err;
  }
}

export interface CsvCheckContext {
  now: Date;
  /** Dealer staff: the dealer codes they may import for (null: any). */
  dealerCodes: readonly string[] | null;
}

/** What the intake would refuse in this lead (its own checks, made here for the whole file first). */
function intakeProblem(lead: LeadInput, ctx: CsvCheckContext): { field: string; message: string } | null {
  const phone = phoneProblem(lead.phone);
  if (phone) return { field: 'phone', message: phone };
  const createdAt = createdAtProblem(lead.createdAt, ctx.now);
  if (createdAt) return { field: 'createdAt', message: createdAt };
  const allowed = ctx.dealerCodes;
  if (allowed === null) return null;
  if (lead.dealerCode === undefined && allowed.length !== 1) return { field: 'dealerCode', message: `dealerCode is required: you work for several dealers (${allowed.join(', ')})` };
  if (lead.dealerCode !== undefined && !allowed.includes(lead.dealerCode)) return { field: 'dealerCode', message: `no dealer with code "${lead.dealerCode}"` };
  return null;
}

/** Checks and maps every row; throws a 400 naming every bad row (up to 100). */
export function parseLeadCsv(text: string, mapping: CsvMapping, ctx: CsvCheckContext, onProgress?: ImportProgress): { rows: number; inputs: LeadInput[] } {
  const [header, ...records] = readRecords(text);
  if (!header) throw new AppError('invalid_request', 'the CSV is empty: it needs a header row and at least one row of leads');
  if (records.length === 0) throw new AppError('invalid_request', 'the CSV has a header but no rows of leads');
  if (records.length > MAX_IMPORT_ROWS) throw new AppError('invalid_request', `the CSV has ${records.length} rows; import at most ${MAX_IMPORT_ROWS} at a time (split the file)`);
  const repeated = header.find((h, i) => header.indexOf(h) !== i);
  if (repeated !== undefined) throw new AppError('invalid_request', `the CSV header names column "${repeated}" twice`);
  const missing = Object.keys(mapping.columns).filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new AppError('invalid_request', `the mapping names column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} that the CSV header does not have (it has ${header.map((c) => `"${c}"`).join(', ')})`, {
      missing,
      header,
    });
  }
  const columnOf = new Map<string, string>(Object.entries(mapping.columns).map(([column, field]) => [field, column]));
  const indexOf = new Map<ImportField, number>(Object.entries(mapping.columns).map(([column, field]) => [field, header.indexOf(column)]));
  const problems: RowProblem[] = [];
  const inputs: LeadInput[] = [];
  const firstRowOf = new Map<string, number>();

  for (const [i, record] of records.entries()) {
    const row = i + 2;
    if (record.length !== header.length) {
      problems.push({ row, field: 'row', column: null, message: `has ${record.length} cells; the header has ${header.length}` });
      continue;
    }
    const cell = (field: ImportField) => {
      const at = indexOf.get(field);
      const v = at === undefined ? undefined : record[at];
      return v === '' ? undefined : v;
    };
    const raw = Object.fromEntries(header.map((h, c) => [h, record[c] ?? '']));
    const createdAt = cell('createdAt');
    const input: LeadInputRaw = {
      source: mapping.source,
      // Without an id column: the row's content, so that importing the same file again changes nothing.
      externalId: cell('externalId') ?? `row:${createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 40)}`,
      channel: cell('channel') ?? mapping.channel,
      campaign: cell('campaign') ?? mapping.campaign,
      name: cell('name'),
      phone: cell('phone') ?? '',
      city: cell('city'),
      province: cell('province'),
      series: cell('series'),
      model: cell('model'),
      dealerCode: cell('dealerCode') ?? mapping.dealerCode,
      consultant: cell('consultant'),
      createdAt: createdAt === undefined ? undefined : dmsTime(createdAt),
      raw,
    };
    const parsed = leadInputSchema.safeParse(input);
    const problem = parsed.success ? intakeProblem(parsed.data, ctx) : null;
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? 'row');
        problems.push({ row, field, column: columnOf.get(field) ?? null, message: issue.message });
      }
    } else if (problem) {
      problems.push({ row, ...problem, column: columnOf.get(problem.field) ?? null });
    } else {
      const id = parsed.data.externalId ?? '';
      const earlier = firstRowOf.get(id);
      if (earlier !== undefined && cell('externalId') !== undefined) {
        problems.push({ row, field: 'externalId', column: columnOf.get('externalId') ?? null, message: `"${id}" is also on row ${earlier}; each row must be a different lead` });
      } else if (earlier === undefined) {
        firstRowOf.set(id, row);
        inputs.push(parsed.data);
      }
      // An identical row again (no id column): the same lead, counted as existing.
    }
    if ((i + 1) % 1000 === 0) onProgress?.('checking rows', i + 1, records.length);
  }
  onProgress?.('checking rows', records.length, records.length);
  if (problems.length > 0) throw rowError(problems);
  return { rows: records.length, inputs };
}

/** Parses, checks and takes in a CSV of leads as `principal`; answers the counts. */
export async function importLeadCsv(deps: LeadSourceDeps, principal: Principal, text: string, mapping: CsvMapping, onProgress?: ImportProgress): Promise<LeadImportResult> {
  const dealerCodes = principal.scope.kind === 'all' ? null : await dealerCodesIn(deps.store.db, principal.tenantId, principal.scope.unitIds);
  const { rows, inputs } = parseLeadCsv(text, mapping, { now: deps.clock.now(), dealerCodes }, onProgress);
  const result: LeadImportResult = { rows, created: 0, new: 0, merged: 0, duplicates: 0, existing: rows - inputs.length };
  onProgress?.('importing leads', 0, inputs.length);
  for (let at = 0; at < inputs.length; at += INTAKE_CHUNK) {
    const chunk = inputs.slice(at, at + INTAKE_CHUNK);
    const results = await intakeLeads(deps, principal, chunk, { single: false });
    for (const r of results) {
      if (!r.created) result.existing++;
      else {
        result.created++;
        if (r.dedup === 'merged') result.merged++;
        else if (r.dedup === 'duplicate') result.duplicates++;
        else result.new++;
      }
    }
    onProgress?.('importing leads', at + chunk.length, inputs.length);
  }
  return result;
}
