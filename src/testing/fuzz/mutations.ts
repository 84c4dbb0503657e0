/**
 * What a careless or hostile client sends instead of a valid value. Every one must be answered
 * with a 4xx in the error shape (or accepted), never a 5xx.
 */

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { n: v };
  return v;
}

/** What a database refuses outright: tried on every parameter and field. */
export const UNSTORABLE_MUTANTS: ReadonlyArray<readonly [string, string]> = [
  ['NUL', 'a\u0000b'],
  ['lone high surrogate', 'a\ud800b'],
];

/** Text that is hard to store, to parse as a date, or to put into SQL and file paths. */
export const STRING_MUTANTS: ReadonlyArray<readonly [string, string]> = [
  ['empty string', ''],
  ['blank string', '   '],
  ['10k characters', 'x'.repeat(10_000)],
  ['lone low surrogate', '\udc00'],
  ['SQL', "' OR '1'='1'; DROP TABLE events; --"],
  ['SQL comment and quote', "x'); SELECT pg_sleep(0)--"],
  ['path traversal', '../../../../etc/passwd'],
  ['impossible date', '2026-02-30T25:61:00Z'],
  ['year zero date', '0000-00-00T00:00:00Z'],
  ['far future date', '99999-12-31T23:59:59Z'],
  ['emoji', '🚗💥𝕏'],
  ['RTL and zero-width', '\u202e\u200bابت'],
  ['percent junk', '%00%ff%'],
  ['escaped NUL text', '\\u0000'],
  ['number text', '1e400'],
];

/** Values of the wrong kind or out of any sane range. */
export const VALUE_MUTANTS: ReadonlyArray<readonly [string, unknown]> = [
  ['null', null],
  ['true', true],
  ['integer', 123],
  ['negative', -1],
  ['huge number', 1e308],
  ['2^63', 2 ** 63],
  ['below -2^63', -(2 ** 64)],
  ['fraction', 0.5],
  ['object', { a: 1 }],
  ['array', [1, 'a']],
  ['empty array', []],
  ['deep nesting', nested(120)],
  ['5000 items', Array.from({ length: 5000 }, (_, i) => i)],
];

/** Everything else, a few of which are tried on each parameter and field. */
export const OTHER_VALUE_MUTANTS: ReadonlyArray<readonly [string, unknown]> = [...STRING_MUTANTS, ...VALUE_MUTANTS];
export const ALL_VALUE_MUTANTS: ReadonlyArray<readonly [string, unknown]> = [...UNSTORABLE_MUTANTS, ...OTHER_VALUE_MUTANTS];

/** Path segments a router and a database must both survive (already percent-encoded); the first five are always tried. */
export const PATH_MUTANTS: ReadonlyArray<readonly [string, string]> = [
  ['bad percent-encoding', '%E0%A4%A'],
  ['lone percent', 'abc%'],
  ['over-long parameter', 'a'.repeat(150)],
  ['NUL', 'a%00b'],
  ['encoded lone surrogate', '%ED%A0%80'],
  ['path traversal', '..%2F..%2Fetc%2Fpasswd'],
  ['SQL', encodeURIComponent("1' OR '1'='1")],
  ['unknown UUID', '7f1d3b7e-9c1a-4c2e-8f00-1234567890ab'],
  ['upper-case UUID', 'F47AC10B-58CC-4372-A567-0E02B2C3D479'],
  ['emoji', encodeURIComponent('🚗')],
  ['blank', '%20'],
];

/** Whole bodies that are not what any operation takes. */
export const RAW_BODY_MUTANTS: ReadonlyArray<readonly [string, { payload: string | Buffer; contentType: string; encoding?: string }]> = [
  ['invalid JSON', { payload: '{"a":', contentType: 'application/json' }],
  ['JSON with a trailing comma', { payload: '{"a":1,}', contentType: 'application/json' }],
  ['prototype pollution', { payload: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}', contentType: 'application/json' }],
  ['JSON null', { payload: 'null', contentType: 'application/json' }],
  ['JSON array', { payload: '[1,2,3]', contentType: 'application/json' }],
  ['JSON string', { payload: '"text"', contentType: 'application/json' }],
  ['deeply nested JSON', { payload: '['.repeat(5000) + ']'.repeat(5000), contentType: 'application/json' }],
  ['XML', { payload: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>', contentType: 'application/xml' }],
  ['form encoded', { payload: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' }],
  ['multipart', { payload: '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--', contentType: 'multipart/form-data; boundary=b' }],
  ['bad gzip', { payload: Buffer.from('not gzip at all'), contentType: 'application/json', encoding: 'gzip' }],
  ['unknown encoding', { payload: '{}', contentType: 'application/json', encoding: 'br' }],
  ['invalid UTF-8', { payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), contentType: 'application/json' }],
  ['2 MB body', { payload: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }), contentType: 'application/json' }],
];
