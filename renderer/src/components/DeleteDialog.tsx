// A deletion's confirmation: the dialog, its error, a busy state, and — where what is deleted leaves
// nothing behind — the name typed before the button works. A backup's and a whole set's use it.
import { useState, type ReactNode } from 'react';
import type { Envelope, ErrorInfo } from '../api/types.ts';
import { ConfirmDialog } from './Modal.tsx';
import { ErrorNotice, TypedConfirm } from './ui.tsx';

interface DeleteDialogProps {
  open: boolean;
  title: string;
  confirmLabel: string;
  /** What must be typed first (and what is sent as the confirmation); typing is asked only when `typed` is set. */
  confirm: string;
  typed: { what: string } | null;
  remove: (confirm: string) => Promise<Envelope<unknown>>;
  onClose: () => void;
  children: ReactNode;
}

export function DeleteDialog({ open, title, confirmLabel, confirm, typed, remove, onClose, children }: DeleteDialogProps) {
  const [text, setText] = useState('');
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    setText('');
    setError(null);
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      title={title}
      confirmLabel={confirmLabel}
      disabled={(typed !== null && text !== confirm) || busy}
      onClose={close}
      onConfirm={async () => {
        setBusy(true);
        const result = await remove(confirm);
        setBusy(false);
        if (result.ok) close();
        else setError(result.error);
      }}
    >
      {error ? <ErrorNotice error={error} /> : null}
      {children}
      {typed ? <TypedConfirm expected={confirm} value={text} onChange={setText} what={typed.what} /> : null}
    </ConfirmDialog>
  );
}
