/** Pure: the field checks manifest.ts parses with; each throws an Error naming the field. */

export function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where} is not an object`);
  return v as Record<string, unknown>;
}
export function str(v: unknown, where: string, emptyOk = false): string {
  if (typeof v !== 'string' || (!emptyOk && v === '')) throw new Error(`${where} is not a string`);
  return v;
}
export function int(v: unknown, where: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new Error(`${where} is not a whole number >= ${min}`);
  return v;
}
export function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') throw new Error(`${where} is not true or false`);
  return v;
}
export function num(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where} is not a number`);
  return v;
}
export function oneOf<T extends string>(v: unknown, allowed: readonly T[], where: string): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new Error(`${where} is not one of ${allowed.join(', ')}`);
  return v as T;
}
