// How a refused input is worded, for every shell: bounded, and naming the field that was wrong.
import * as z from 'zod';

/**
 * An error names the first few problems and counts the rest, and cuts long names: it answers input
 * of any size in a few hundred bytes (listing every problem echoed 1 MB of input back as 24 MB).
 */
const PROBLEMS_SHOWN = 5;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
const andMore = (total: number, shown: number, noun = '') => (total > shown ? ` and ${(total - shown).toLocaleString('en-US')} more${noun}` : '');

/**
 * A union's "Invalid input" says nothing; when exactly one branch took the input's type (the others
 * failed at their root), that branch's issues say what is wrong, at their full path.
 */
function expandUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const rootMismatch = (inner: z.core.$ZodIssue) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value');
    const matched = issue.errors.filter((branch) => branch.length > 0 && !branch.some(rootMismatch));
    if (matched.length !== 1) return [issue];
    return expandUnions(matched[0]!.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })));
  });
}

export function describeZodError(error: z.ZodError): string {
  const issues = expandUnions(error.issues);
  const shown = issues.slice(0, PROBLEMS_SHOWN).map((issue) => {
    const path = issue.path.map((part) => clip(String(part), 40)).join('.');
    if (issue.code === 'unrecognized_keys') {
      const names = issue.keys.slice(0, PROBLEMS_SHOWN).map((key) => clip(key, 40));
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${names.join(', ')}${andMore(issue.keys.length, names.length)}`;
    }
    const message = clip(issue.message, 300);
    return path ? `${path}: ${message}` : message;
  });
  const more = andMore(issues.length, shown.length, issues.length - shown.length > 1 ? ' problems' : ' problem');
  return `${shown.join('; ')}${more ? `;${more}` : ''}`;
}
