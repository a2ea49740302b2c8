// A whole-server connection's test: every database a set would back up now with its size, those left
// out, and the total; a database the role may not connect to, or with tables it cannot read, is named
// with why (the set would be partial).
import { Fragment } from 'react';
import { Badge } from '../components/ui.tsx';
import type { ChannelOutput } from '../api/types.ts';
import { formatBytes, plural } from '../lib/format.ts';
import { shown } from '../lib/shown.ts';

export type WholeServerSizes = NonNullable<ChannelOutput<'profile.test'>['wholeServer']>;

export function WholeServerSizesTable({ sizes }: { sizes: WholeServerSizes }) {
  return (
    <table className="table table--compact" aria-label="Databases a set would back up">
      <caption className="muted">
        {plural(sizes.databases.length, 'database')}, {formatBytes(sizes.totalBytes)} in all
        {sizes.excluded.length ? `; left out: ${sizes.excluded.join(', ')}` : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">Database</th>
          <th scope="col" className="num">
            Size
          </th>
        </tr>
      </thead>
      <tbody>
        {sizes.databases.map((d) => (
          <Fragment key={d.database}>
            <tr data-database={d.database}>
              <td className="mono">{shown(d.database)}</td>
              <td className="num">{d.sizeBytes === null ? <Badge tone="bad">cannot connect</Badge> : formatBytes(d.sizeBytes)}</td>
            </tr>
            {d.problem ? (
              // Its own row, the width of the table: the reason is a sentence, and wraps.
              <tr data-database-problem={d.database}>
                <td colSpan={2} className="field__error">
                  {shown(d.problem)}
                </td>
              </tr>
            ) : null}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
