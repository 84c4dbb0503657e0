import { XMLParser, XMLValidator, type X2jOptions } from 'fast-xml-parser';
import { isRecord } from '../../platform/json.js';
import { WecomCallbackError } from './errors.js';

/** The largest callback body (and decrypted message) accepted, in bytes; a route's body limit. */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

/** A value in WeCom's XML: text, a list (repeated elements or `<Item>`s), or nested elements. */
export type WecomXmlValue = string | WecomXmlValue[] | WecomXmlFields;
/** The child elements of an XML element, by name. */
export type WecomXmlFields = { [name: string]: WecomXmlValue };

/** A document type declaration is where entities are defined: none is ever read, let alone expanded. */
const FORBIDDEN_MARKUP = /<!DOCTYPE|<!ENTITY/i;
/** Characters XML 1.0 does not allow in a document (and PostgreSQL cannot store NUL). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const NON_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** Element names WeCom uses for the entries of a list (`<MemChangeList><Item>…</Item></MemChangeList>`). */
const LIST_ITEMS = new Set(['Item', 'item']);
/** Where the parser puts CDATA sections (kept apart so that their text is never entity-decoded). */
const CDATA = '#cdata';
const TEXT = '#text';
/** WeCom nests at most a few levels; deeper input is not one of its messages. */
const MAX_DEPTH = 16;

/**
 * fast-xml-parser's settings: no entity processing (references stay as written and are decoded
 * below, the five predefined ones and character references only), values kept as strings,
 * attributes, declarations and processing instructions ignored, `<Item>` always a list.
 */
export const xmlParserOptions = {
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  cdataPropName: CDATA,
  textNodeName: TEXT,
  trimValues: true,
  maxNestedTags: MAX_DEPTH,
  isArray: (name: string) => LIST_ITEMS.has(name),
} satisfies X2jOptions;

const parser = new XMLParser(xmlParserOptions);

const malformed = (why: string, details: Record<string, unknown> = {}) => new WecomCallbackError('malformed_xml', `the XML is malformed: ${why}`, details);

const PREDEFINED = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);
/** A reference in text: a predefined entity, a character reference, or anything else after "&". */
const REFERENCE = /&(?:([a-z]+);|#([0-9]{1,7});|#x([0-9a-fA-F]{1,6});)?/g;

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** Decodes the references XML defines without a DTD, in one pass; any other "&" is refused. */
function decodeText(text: string): string {
  return text.replace(REFERENCE, (whole, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
    const predefined = name === undefined ? undefined : PREDEFINED.get(name);
    if (predefined !== undefined) return predefined;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : hex !== undefined ? Number.parseInt(hex, 16) : NaN;
    if (isXmlChar(code)) return String.fromCodePoint(code);
    throw malformed(`"${whole}" is neither a predefined entity nor a character reference`);
  });
}

/** Converts the parser's output (typed `any` by the library) into checked WeCom values. */
function toValue(node: unknown): WecomXmlValue {
  if (typeof node === 'string') return decodeText(node);
  if (Array.isArray(node)) return node.map(toValue);
  if (!isRecord(node)) throw malformed('unexpected content');
  const names = Object.keys(node);
  const cdata = node[CDATA];
  if (cdata !== undefined) {
    // An element holding CDATA holds nothing else (adjacent sections are one text, split at "]]>").
    if (names.length !== 1) throw malformed('an element mixes CDATA with text or elements');
    const parts = Array.isArray(cdata) ? cdata : [cdata];
    if (!parts.every((p) => typeof p === 'string')) throw malformed('unexpected CDATA content');
    return parts.join('');
  }
  if (names.includes(TEXT)) throw malformed('an element mixes text with elements');
  const [only] = names;
  if (names.length === 1 && only !== undefined && LIST_ITEMS.has(only)) return toValue(node[only]);
  return Object.fromEntries(names.map((name) => [name, toValue(node[name])]));
}

/** The request body as text, refused when too large or not UTF-8. */
function bodyText(body: string | Uint8Array): string {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  if (bytes > MAX_CALLBACK_BODY_BYTES) {
    throw new WecomCallbackError('too_large', `the XML is ${bytes} bytes; the limit is ${MAX_CALLBACK_BODY_BYTES}`, { limitBytes: MAX_CALLBACK_BODY_BYTES });
  }
  if (typeof body === 'string') return body;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw malformed('the body is not UTF-8');
  }
}

/**
 * Parses a WeCom XML document (`<xml>…</xml>`) into its child elements. Refuses, before any parsing,
 * a body over MAX_CALLBACK_BODY_BYTES and any DOCTYPE or ENTITY declaration; then anything that is
 * not well-formed XML with the single root `<xml>`.
 */
export function parseWecomXml(body: string | Uint8Array): WecomXmlFields {
  const text = bodyText(body);
  if (FORBIDDEN_MARKUP.test(text)) throw new WecomCallbackError('forbidden_xml', 'the XML declares a DOCTYPE or ENTITY; WeCom never sends one');
  if (NON_XML_CHARS.test(text)) throw malformed('the XML holds a control character XML does not allow');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw malformed(valid.err.msg, { line: valid.err.line, col: valid.err.col });
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (err) {
    throw malformed(err instanceof Error ? err.message : 'the parser refused it');
  }
  if (!isRecord(parsed) || Object.keys(parsed).length !== 1 || !('xml' in parsed)) throw malformed('the root element must be <xml>');
  const root = parsed['xml'];
  if (root === '') return {};
  const fields = toValue(root);
  if (typeof fields === 'string' || Array.isArray(fields)) throw malformed('<xml> must contain elements');
  return fields;
}
