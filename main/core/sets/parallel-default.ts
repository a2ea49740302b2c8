// How many databases of a set are dumped at once when the profile does not say, as a DBA reads it:
// apart from parallelism.ts (which reads the machine's processors through node:os) so the renderer
// says the same words.

/** The most databases the default dumps at once, however many processors there are. */
export const MAX_DEFAULT_PARALLEL_DATABASES = 8;

/** The default, in words: "Parallel databases: empty means …". */
export const AUTO_PARALLEL_DATABASES = `one per processor of the machine Holdfast runs on, up to ${MAX_DEFAULT_PARALLEL_DATABASES}`;
