// A zod schema built the first time it is used instead of when its module loads. Every command loads
// the engine and the contract, and building their ~1,300 schema objects at load cost each start
// (`holdfast --help` as much as `holdfast serve`) tens of milliseconds of CPU for schemas most commands
// never parse with (issues 12 and 17). Types are the wrapped schema's own: z.infer is unchanged.
import * as z from 'zod';

/** Schemas wrapped here that some use has built so far (a start-up spec reads it). */
let builtCount = 0;

export function lazySchemasBuilt(): number {
  return builtCount;
}

/**
 * `build` runs on the first read of any property (`.parse`, `.shape`, `.optional()`, zod's own `_zod`
 * when another schema or `instanceof` looks inside), once; every read after that goes to the schema it
 * made. Property reads are all a schema needs: zod's methods close over their schema, not `this`.
 */
export function lazySchema<Schema extends z.ZodType>(build: () => Schema): Schema {
  let schema: Schema | undefined;
  const built = (): Schema => {
    if (schema === undefined) {
      const made = build();
      // zod keeps .describe()/.meta() texts in a registry keyed by the schema object, and a schema
      // that holds this wrapper would look its own up under the wrapper: /api/openapi.json would
      // lose the text without a word. Described as a whole, a schema stays eager.
      if (z.globalRegistry.has(made))
        throw new Error(`A schema described as a whole cannot be lazy ("${String(z.globalRegistry.get(made)?.description)}"): build it at load, or describe it where it is used.`);
      schema = made;
      builtCount += 1;
    }
    return schema;
  };
  return new Proxy({} as Schema, {
    get: (_target, key) => Reflect.get(built(), key),
    has: (_target, key) => Reflect.has(built(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(built()),
  });
}
