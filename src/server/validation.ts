import type { FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';
import { AppError } from '../platform/errors.js';

export interface IssueDetail {
  path: string;
  message: string;
  index?: number;
  field?: string;
}

/** Paths longer than this many segments are shown by their last ones (a body may nest thousands deep). */
const MAX_PATH_SEGMENTS = 12;

/** `['batch', 3, 'context', 'externalIds', 0]` → `batch[3].context.externalIds[0]`. */
function formatPath(path: readonly PropertyKey[]): string {
  const shown = path.length > MAX_PATH_SEGMENTS ? path.slice(-MAX_PATH_SEGMENTS) : path;
  const text = shown.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
  return shown === path ? text : `…(${path.length - shown.length} levels).${text}`;
}

const MAX_ISSUES = 20;

/** What a check found wrong at a path of a request part (zod issues have this shape). */
export interface PathIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export function validationError(issues: readonly PathIssue[], part: string): AppError {
  const details: IssueDetail[] = issues.slice(0, MAX_ISSUES).map((issue) => {
    const d: IssueDetail = { path: formatPath(issue.path), message: issue.message };
    if (issue.path[0] === 'batch' && typeof issue.path[1] === 'number') {
      d.index = issue.path[1];
      d.field = formatPath(issue.path.slice(2)) || 'message';
    }
    return d;
  });
  const first = details[0];
  const where = part === 'body' ? '' : `${part} `;
  const summary = !first
    ? 'the request is invalid'
    : first.index !== undefined
      ? `message ${first.index} (${first.field}): ${first.message}`
      : first.path
        ? `${where}${first.path}: ${first.message}`
        : `${where}${first.message}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return new AppError('invalid_request', `${summary}${more}`, { part, issues: details });
}

/** Fastify validates each request part with its zod schema; failures become `invalid_request`. */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (!(schema instanceof z.ZodType)) throw new Error('route schemas must be zod schemas');
  return (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    return { error: validationError(result.error.issues, httpPart ?? 'body') };
  };
};
