// Core's layering, checked from the sources (no I/O beyond reading them): rooms never reach up to
// the facade, no file imports itself round a cycle, the engine needs no shell (Electron, HTTP, React,
// the CLI), and no file grows past what one job needs. A violation fails naming the file.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

/**
 * Violations known at the time of writing, each being fixed on another branch of the architecture
 * issue. Once those merge, this list should be empty: an entry that no longer matches a violation
 * fails the spec too ("no longer needed"), so delete it then. Add to it only with a reason and a
 * plan, never to make a new violation pass.
 */
// Empty: every rule holds. A violation that must stay for a while is listed here with its reason,
// and the second test below fails once it is fixed, so the list cannot rot.
const KNOWN_EXCEPTIONS: readonly KnownException[] = [];

const MAX_LINES = 400;
/** Packages only a shell may use: the engine runs the same under the CLI, the server and the desktop. */
const SHELL_PACKAGES = ['electron', 'fastify', 'react', 'react-dom'];
/** Package scopes that belong to those shells. */
const SHELL_SCOPES = ['@fastify/', '@electron/'];

type KnownException =
  | { rule: 'room-imports-facade'; file: string; imports: string; reason: string }
  | { rule: 'too-long'; file: string; reason: string }
  | { rule: 'cycle'; files: readonly string[]; reason: string }
  | { rule: 'shell-import'; file: string; imports: string; reason: string };

/** A rule broken, as an exception would name it, with what to tell the reader. */
type Violation = KnownException extends infer Each ? (Each extends KnownException ? Omit<Each, 'reason'> & { message: string } : never) : never;

const root = resolve(import.meta.dirname, '..', '..');
const coreDir = join(root, 'main', 'core');
/** Paths as the messages and the exceptions say them: relative to the checkout, with forward slashes. */
const display = (path: string) => relative(root, path).split(sep).join('/');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

interface Import {
  specifier: string;
  /** Absolute path for a relative import; undefined for a package. */
  target: string | undefined;
  line: number;
}

/** Every import, export-from and dynamic import() of a file, type-only ones included. */
function importsOf(path: string, text: string): Import[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Import[] = [];
  const add = (literal: ts.Expression | undefined) => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const specifier = literal.text;
    const target = specifier.startsWith('.') ? resolve(dirname(path), specifier) : undefined;
    found.push({ specifier, target, line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

const packageOf = (specifier: string) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);

/** The shortest way round from `start` back to itself through `edges`, within one strongly connected set. */
function cycleThrough(start: string, edges: Map<string, Set<string>>, within: Set<string>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of edges.get(node) ?? []) {
      if (!within.has(next)) continue;
      if (next === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** Tarjan's strongly connected components: every set of files that import each other round a cycle. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component = new Set<string>();
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.add(member);
      } while (member !== node);
      if (component.size > 1 || edges.get(node)?.has(node)) found.push(cycleThrough([...component].sort()[0]!, edges, component));
    }
  };
  for (const node of [...edges.keys()].sort()) if (!indexOf.has(node)) connect(node);
  return found;
}

/** Everything in main/core that breaks a rule, exceptions or not. */
function layeringViolations(): Violation[] {
  const violations: Violation[] = [];
  const edges = new Map<string, Set<string>>();
  for (const path of sourceFiles(coreDir)) {
    const file = display(path);
    const text = readFileSync(path, 'utf8');
    const lines = lineCount(text);
    if (lines > MAX_LINES) violations.push({ rule: 'too-long', file, message: `${file} has ${lines} lines, over ${MAX_LINES}: split it by job.` });
    const inRoom = dirname(path) !== coreDir;
    const targets = new Set<string>();
    edges.set(file, targets);
    for (const { specifier, target, line } of importsOf(path, text)) {
      const at = `${file}:${line}`;
      if (target === undefined) {
        const name = packageOf(specifier);
        if (SHELL_PACKAGES.includes(name) || SHELL_SCOPES.some((scope) => name.startsWith(scope))) {
          violations.push({
            rule: 'shell-import',
            file,
            imports: specifier,
            message: `${at} imports ${specifier}: the engine must run without Electron, an HTTP server or React; do that in a shell (main/cli, main/serve, main/electron).`,
          });
        }
        continue;
      }
      const imported = display(target);
      if (!imported.startsWith('main/core/')) {
        violations.push({
          rule: 'shell-import',
          file,
          imports: imported,
          message: `${at} imports ${imported}: main/core must not import from outside main/core (the shells and the contract depend on the engine, not the reverse).`,
        });
        continue;
      }
      targets.add(imported);
      if (inRoom && dirname(target) === coreDir) {
        violations.push({
          rule: 'room-imports-facade',
          file,
          imports: imported,
          message: `${at} imports ${imported}: a file in a room of main/core must not import from main/core's top level (the facade); take what it needs as a parameter or an interface of its own room.`,
        });
      }
    }
  }
  for (const files of cycles(edges)) {
    violations.push({ rule: 'cycle', files, message: `import cycle: ${files.join(' → ')}` });
  }
  return violations;
}

const sameViolation = (exception: KnownException, violation: Violation) => {
  if (exception.rule !== violation.rule) return false;
  if (exception.rule === 'cycle' && violation.rule === 'cycle') return [...exception.files].sort().join() === [...violation.files].sort().join();
  if ('file' in exception && 'file' in violation && exception.file !== violation.file) return false;
  if ('imports' in exception && 'imports' in violation) return exception.imports === violation.imports;
  return true;
};

describe("main/core's layering", () => {
  const violations = layeringViolations();

  test('no file in main/core breaks a layering rule (but those KNOWN_EXCEPTIONS lists)', () => {
    const unexpected = violations.filter((violation) => !KNOWN_EXCEPTIONS.some((exception) => sameViolation(exception, violation)));
    expect(unexpected.map((violation) => violation.message)).toEqual([]);
  });

  test('every KNOWN_EXCEPTIONS entry is still needed (delete the ones that are fixed)', () => {
    const stale = KNOWN_EXCEPTIONS.filter((exception) => !violations.some((violation) => sameViolation(exception, violation)));
    expect(stale.map((exception) => `no longer needed, delete it from KNOWN_EXCEPTIONS: ${JSON.stringify(exception)}`)).toEqual([]);
  });

  test('the checker finds a cycle when there is one', () => {
    const edges = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a', 'd'])],
      ['d', new Set<string>()],
    ]);
    expect(cycles(edges)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
