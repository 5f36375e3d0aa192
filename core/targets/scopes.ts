/**
 * Target scopes: `company`, `team:<id>` or `rep:<id>` (design.md, `targets` export). A blank scope means
 * the company, as the export's default says.
 */
export type Scope = { kind: 'company' } | { kind: 'team'; id: string } | { kind: 'rep'; id: string };

const SCOPE = /^(team|rep)\s*:\s*(.+)$/i;

export function parseScope(raw: string | null | undefined): Scope | null {
  const text = (raw ?? '').trim();
  if (text === '' || text.toLowerCase() === 'company') return { kind: 'company' };
  const match = SCOPE.exec(text);
  if (!match) return null;
  const id = (match[2] as string).trim();
  return (match[1] as string).toLowerCase() === 'team' ? { kind: 'team', id } : { kind: 'rep', id };
}

/** Canonical text of a scope, as written to the `targets` table and DynamoDB keys. */
export function scopeKey(scope: Scope): string {
  return scope.kind === 'company' ? 'company' : `${scope.kind}:${scope.id}`;
}

/** Company first, then teams, then reps: parents come before the children they are split into. */
export function scopeRank(scope: Scope): number {
  return scope.kind === 'company' ? 0 : scope.kind === 'team' ? 1 : 2;
}
