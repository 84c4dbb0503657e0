import { operationsOf } from './fuzz/operations.js';
import { isSchema } from './fuzz/schema.js';

/**
 * Test support for "no raw personal value reaches a masked reader": the GET operations of the
 * served OpenAPI document, their paths filled with real ids, and a search of answers (JSON or text
 * such as CSV) for raw values, reporting where each one was found.
 */

/** A raw value that must not appear, and what it is (shown in failures). */
export interface Needle {
  value: string;
  what: string;
}

/** Where in one answer a needle was found: a JSON path (`data[0].consultantName`) or a text line. */
export interface Finding {
  needle: Needle;
  at: string;
}

export interface GetOperation {
  /** The OpenAPI path template, e.g. `/api/v1/leads/{id}`. */
  path: string;
  /** Query parameters the operation requires. */
  requiredQuery: string[];
}

/** Every GET operation of an OpenAPI document, in document order. */
export function getOperations(document: unknown): GetOperation[] {
  if (!isSchema(document)) throw new Error('not an OpenAPI document');
  return operationsOf(document)
    .filter((op) => op.method === 'GET')
    .map((op) => ({ path: op.path, requiredQuery: op.params.filter((p) => p.in === 'query' && p.required).map((p) => p.name) }));
}

/**
 * The keys that name a path parameter: the segment before it and its name, e.g. `leads/{id}` for
 * `/api/v1/leads/{id}/follow-ups`.
 */
export function pathParameterKeys(path: string): string[] {
  const segments = path.split('/');
  return segments.flatMap((s, i) => (/^\{\w+\}$/.test(s) ? [`${segments[i - 1] ?? ''}/${s}`] : []));
}

/**
 * Every URL of a path template with its parameters filled from `values` (keyed as by
 * `pathParameterKeys`; several values give several URLs), or null when a parameter has no value.
 */
export function fillPath(path: string, values: Readonly<Record<string, readonly string[]>>): string[] | null {
  let urls = [path];
  for (const key of pathParameterKeys(path)) {
    const options = values[key];
    if (!options || options.length === 0) return null;
    const placeholder = key.slice(key.indexOf('/') + 1);
    urls = urls.flatMap((url) => options.map((v) => url.replace(placeholder, encodeURIComponent(v))));
  }
  return urls;
}

function searchValue(value: unknown, path: string, needles: readonly Needle[], out: Finding[]): void {
  if (typeof value === 'string') {
    for (const needle of needles) if (value.includes(needle.value)) out.push({ needle, at: `${path} = ${JSON.stringify(value)}` });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => searchValue(item, `${path}[${i}]`, needles, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const at = path === '' ? key : `${path}.${key}`;
      for (const needle of needles) if (key.includes(needle.value)) out.push({ needle, at: `key ${at}` });
      searchValue(item, at, needles, out);
    }
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * The needles found in an answer body: by JSON path when it is JSON, else by line (CSV: with the
 * header's column names, so a find reads `line 3 (consultant)`).
 */
export function findNeedles(body: string, needles: readonly Needle[]): Finding[] {
  const out: Finding[] = [];
  const parsed = parseJson(body);
  if (parsed.ok) {
    searchValue(parsed.value, '', needles, out);
    return out;
  }
  const lines = body.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  lines.forEach((line, i) => {
    const cells = line.split(',');
    for (const needle of needles) {
      const column = cells.findIndex((c) => c.includes(needle.value));
      if (column >= 0) out.push({ needle, at: `line ${i + 1} (${header[column] ?? `column ${column + 1}`}): ${line}` });
      else if (line.includes(needle.value)) out.push({ needle, at: `line ${i + 1}: ${line}` });
    }
  });
  return out;
}
