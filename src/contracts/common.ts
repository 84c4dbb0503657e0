import { z } from 'zod';

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. invalid_request'),
      message: z.string().describe('What went wrong and what to do about it'),
      details: z.unknown().describe('Structured detail, e.g. the offending fields'),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

export const uuidSchema = z.uuid({ error: 'must be a UUID' });

/** An ISO-8601 date-time with a zone (`Z` or `+08:00`). */
export const isoDateTime = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 date-time with a time zone, e.g. 2026-11-22T08:00:00Z' })
  .refine((s) => {
    // Bounded so that clock-skew arithmetic on two such times stays within PostgreSQL's range.
    // (A string that is no date-time at all already failed above: one issue is enough.)
    const year = Number(s.slice(0, 4));
    return Number.isNaN(year) || !/^\d{4}-/.test(s) || (year >= 1970 && year <= 2200);
  }, 'must be a date-time between the years 1970 and 2200');
