/** A whole-number setting of a benchmark from the environment, checked. */
export function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const value = raw ? Number(raw) : fallback;
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min} (got ${raw})`);
  return value;
}
