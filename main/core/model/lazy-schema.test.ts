import * as z from 'zod';
import { expect, test } from 'vitest';
import { lazySchema, lazySchemasBuilt } from './lazy-schema.ts';

test('a lazy schema is built once, on first use, and parses, refuses and composes like the schema it wraps', () => {
  let builds = 0;
  const Port = lazySchema(() => {
    builds += 1;
    return z.number().int().min(1, 'port is 1–65535');
  });
  const before = lazySchemasBuilt();
  const Target = z.object({ host: z.string(), port: Port.optional() });
  expect(builds).toBe(1); // .optional() is a use
  expect(lazySchemasBuilt()).toBe(before + 1);

  expect(Port.parse(5432)).toBe(5432);
  const refused = Port.safeParse(0);
  expect(refused.success).toBe(false);
  expect(refused.error?.issues[0]?.message).toBe('port is 1–65535');
  expect(Target.parse({ host: 'db' })).toEqual({ host: 'db' });
  expect(Port instanceof z.ZodNumber).toBe(true);
  expect(builds).toBe(1);
});

test('a lazy schema nobody uses is never built', () => {
  let builds = 0;
  const Unused = lazySchema(() => {
    builds += 1;
    return z.string();
  });
  void Unused;
  expect(builds).toBe(0);
});

test('a lazy object schema gives its shape, and z.infer sees the wrapped type', () => {
  const Profile = lazySchema(() => z.object({ name: z.string(), port: z.number().default(5432) }).strict());
  const parsed: z.infer<typeof Profile> = Profile.parse({ name: 'prod' });
  expect(parsed).toEqual({ name: 'prod', port: 5432 });
  expect(Object.keys(Profile.shape)).toEqual(['name', 'port']);
  expect(() => Profile.parse({ name: 'prod', extra: 1 })).toThrow(z.ZodError);
});

test('a schema described as a whole is refused, not quietly stripped of its description in the OpenAPI document', () => {
  const Described = lazySchema(() => z.string().describe('ISO 8601 time'));
  expect(() => z.object({ at: Described }).parse({ at: 'now' })).toThrow(/described as a whole cannot be lazy \("ISO 8601 time"\)/);
});
