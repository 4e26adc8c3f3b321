import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLE_PERMISSIONS, ROLES } from '../../src/modules/people/roles.ts';

/**
 * docs/api.md prints the role policy as a table ("Permissions by role"): one row per permission,
 * one column per role, ✓ where the role grants it. The table is written by hand; this test holds
 * it to ROLE_PERMISSIONS (modules/people/roles.ts), so the document cannot drift from the code.
 */

const DOC = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');

/** The cells of a Markdown table row ("| a | b |" → ["a", "b"]), with `\|` kept inside a cell. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** The table that follows `heading` in the document: its header cells and its rows' cells. */
function tableAfter(heading: string): { header: string[]; rows: string[][] } {
  const lines = DOC.split('\n');
  const at = lines.findIndex((l) => l.trim() === heading);
  expect(at, `docs/api.md has no "${heading}"`).toBeGreaterThanOrEqual(0);
  const start = lines.findIndex((l, i) => i > at && l.startsWith('|'));
  const block: string[] = [];
  for (let i = start; i < lines.length && lines[i]!.startsWith('|'); i++) block.push(lines[i]!);
  expect(block.length, 'a header, a rule and rows').toBeGreaterThan(2);
  expect(block[1]).toMatch(/^\|(\s*-+\s*\|)+$/);
  return { header: cells(block[0]!), rows: block.slice(2).map(cells) };
}

describe('the permission table of docs/api.md', () => {
  const { header, rows } = tableAfter('### Permissions by role');

  it('has one column per role, in the order of ROLES', () => {
    expect(header).toEqual(['permission', ...ROLES]);
  });

  it('has one row per permission, in the order of PERMISSIONS', () => {
    expect(rows.map((r) => r[0])).toEqual(PERMISSIONS.map((p) => `\`${p}\``));
  });

  it('marks ✓ exactly where ROLE_PERMISSIONS grants the permission, – elsewhere', () => {
    for (const row of rows) {
      const permission = row[0]!.replace(/`/g, '') as (typeof PERMISSIONS)[number];
      expect(row, permission).toHaveLength(ROLES.length + 1);
      ROLES.forEach((role, i) => {
        const cell = row[i + 1];
        expect(['✓', '–'], `${permission} × ${role}: "${cell}"`).toContain(cell);
        expect(cell === '✓', `${permission} × ${role}`).toBe(ROLE_PERMISSIONS[role].has(permission));
      });
    }
  });
});
