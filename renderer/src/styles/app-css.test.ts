// The stylesheet is plain CSS: rules sit at the top level or directly inside an at-rule (@media,
// @keyframes …). A brace lost in a merge turns every rule after it into a nested rule of the one left
// open — Chromium then applies them only inside that selector, and the Settings page lost its layout
// that way without any build or type error. This spec reads the braces as the browser does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROW_HEIGHT, TABLE_SCROLL } from '../lib/backup-columns.ts';

/** Each rule opened inside another style rule (not inside an at-rule), with its line. */
function nestedRules(css: string): { line: number; selector: string; parent: string }[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
  const open: string[] = [];
  const nested: { line: number; selector: string; parent: string }[] = [];
  let prelude = '';
  let line = 1;
  for (const char of text) {
    if (char === '\n') line += 1;
    if (char === '{') {
      const selector = prelude.trim();
      const parent = open[open.length - 1];
      if (parent !== undefined && !parent.startsWith('@') && !/^(from|to|\d+%)/.test(selector)) nested.push({ line, selector, parent });
      open.push(selector);
      prelude = '';
    } else if (char === '}') {
      open.pop();
      prelude = '';
    } else if (char === ';') {
      prelude = '';
    } else {
      prelude += char;
    }
  }
  if (open.length > 0) nested.push({ line, selector: '(end of file)', parent: open[open.length - 1] ?? '' });
  return nested;
}

/** Every declaration of the given properties in rules whose selector names the class, as `property: value`, in file order. */
function declarationsFor(css: string, className: string, properties: readonly string[]): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const found: string[] = [];
  for (const [, selector = '', body = ''] of text.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    if (!selector.split(',').some((part) => new RegExp(`\\.${className}(?![\\w-])`).test(part))) continue;
    for (const declaration of body.split(';')) {
      const [property = '', ...value] = declaration.split(':');
      if (properties.includes(property.trim())) found.push(`${property.trim()}: ${value.join(':').trim()}`);
    }
  }
  return found;
}

const css = readFileSync(join(import.meta.dirname, 'app.css'), 'utf8');

describe('app.css', () => {
  it('has no rule left open around the rules after it', () => {
    expect(nestedRules(css)).toEqual([]);
  });

  it("sizes the Backups table's scroll box and rows as lib/backup-columns.ts states (the first screen counts its rows from them)", () => {
    expect(declarationsFor(css, 'vtable__scroll', ['height', 'min-height', 'max-height'])).toEqual([`height: calc(100vh - ${TABLE_SCROLL.besidePx}px)`, `min-height: ${TABLE_SCROLL.minPx}px`]);
    expect(declarationsFor(css, 'vtable__row--body', ['height', 'min-height', 'max-height'])).toEqual([`height: ${ROW_HEIGHT}px`]);
  });

  it('finds a rule whose closing brace was lost', () => {
    expect(nestedRules('.a {\n  color: red;\n\n.b {\n  color: blue;\n}\n')).toEqual([
      { line: 4, selector: '.b', parent: '.a' },
      { line: 7, selector: '(end of file)', parent: '.a' },
    ]);
    expect(nestedRules('@media (max-width: 1px) {\n  .a { color: red; }\n}\n@keyframes k { from { opacity: 0; } to { opacity: 1; } }')).toEqual([]);
  });
});
