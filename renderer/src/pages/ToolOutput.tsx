// A run's client tool stderr (pg_dump and pg_dumpall for a backup, pg_restore or psql for a restore or
// a drill; kept scrubbed and bounded by the engine), read only when the section is opened: most runs
// are never looked at this closely.
import { useState, type ReactNode } from 'react';
import { api } from '../api/client.ts';
import type { ChannelOutput, ErrorInfo } from '../api/types.ts';
import { ErrorNotice, Spinner } from '../components/ui.tsx';
import { shown } from '../lib/shown.ts';

/** What a restore's or a drill's run ran, for its "wrote nothing" line. */
export const RESTORE_TOOLS = 'pg_restore or psql';

type Loaded = { status: 'loading' } | { status: 'done'; output: ChannelOutput<'run.toolOutput'> } | { status: 'failed'; error: ErrorInfo };

export function ToolOutput({ runOrBackupId, tools = 'pg_dump and pg_dumpall', title = 'Tool output' }: { runOrBackupId: string; tools?: string; title?: ReactNode }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const load = () => {
    setLoaded({ status: 'loading' });
    void api.call('run.toolOutput', { id: runOrBackupId }).then((result) => setLoaded(result.ok ? { status: 'done', output: result.value } : { status: 'failed', error: result.error }));
  };
  return (
    <details
      className="tool-output"
      onToggle={(event) => {
        if (event.currentTarget.open && loaded?.status !== 'done') load();
      }}
    >
      <summary className="details__section">{title}</summary>
      {loaded?.status === 'loading' ? (
        <p role="status">
          <Spinner /> Reading…
        </p>
      ) : loaded?.status === 'failed' ? (
        <ErrorNotice title="The tool output could not be read" error={loaded.error} />
      ) : loaded?.status === 'done' ? (
        loaded.output ? (
          <>
            {loaded.output.truncated ? <p className="muted">Earlier lines were dropped: a run keeps the last 64 KiB.</p> : null}
            <pre className="tool-output__text mono" aria-label="Tool output" tabIndex={0}>
              {shown(loaded.output.text)}
            </pre>
          </>
        ) : (
          <p className="muted">{tools} wrote nothing to stderr for this run.</p>
        )
      ) : null}
    </details>
  );
}
