// What pg_restore leaves out of a restore of chosen tables or schemas, said wherever a DBA chooses one
// (the CLI's preview, the app's wizard). Import-free: the renderer reads it too.
export const SELECTION_CAVEAT =
  "Only the chosen tables' definitions and rows are restored: not their indexes, constraints, triggers or column defaults, and not the tables their foreign keys point to. A partition comes back as a table of its own, not attached to its partitioned table.";
