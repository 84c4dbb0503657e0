/**
 * Reading JSON Schema 2020-12 (as the API document holds it) without trusting its shape: every
 * accessor checks what it finds.
 */
export type Schema = Readonly<Record<string, unknown>>;

export const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

export function str(s: Schema, key: string): string | undefined {
  const v = s[key];
  return typeof v === 'string' ? v : undefined;
}

export function num(s: Schema, key: string): number | undefined {
  const v = s[key];
  return typeof v === 'number' ? v : undefined;
}

export function schemas(s: Schema, key: string): Schema[] {
  const v = s[key];
  return Array.isArray(v) ? v.filter(isSchema) : [];
}

export function props(s: Schema): Array<[string, Schema]> {
  const p = s['properties'];
  return isSchema(p) ? Object.entries(p).flatMap(([k, v]) => (isSchema(v) ? [[k, v] as [string, Schema]] : [])) : [];
}

export function required(s: Schema): string[] {
  const r = s['required'];
  return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
}

/** The schema's type(s); `type: ['string', 'null']` gives both. */
export function types(s: Schema): string[] {
  const t = s['type'];
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

/** Follows `$ref`s into the document's components (`#/components/schemas/X`). */
export class Resolver {
  constructor(private readonly doc: unknown) {}

  deref(s: Schema): Schema {
    let current = s;
    for (let hops = 0; hops < 20; hops++) {
      const ref = str(current, '$ref');
      if (!ref) return current;
      const target = this.pointer(ref);
      if (!isSchema(target)) throw new Error(`unresolved $ref ${ref}`);
      current = { ...target, ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref')) };
    }
    throw new Error('$ref chain too long');
  }

  pointer(ref: string): unknown {
    if (!ref.startsWith('#/')) return undefined;
    let v: unknown = this.doc;
    for (const raw of ref.slice(2).split('/')) {
      const token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      if (!isSchema(v)) return undefined;
      v = v[token];
    }
    return v;
  }
}
