// A modal on the native <dialog>: the browser traps focus, Escape closes, and focus returns to what
// opened it. `dismissable` false keeps it open (Escape does nothing) while work must be watched.
import { useEffect, useRef, type ReactNode } from 'react';

interface ModalProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'normal' | 'wide';
  dismissable?: boolean;
  labelledBy?: string;
}

export function Modal({ open, title, onClose, children, footer, size = 'normal', dismissable = true }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // showModal focuses the first focusable element, the header's Close: Enter then closed the
      // form it had just opened. A form starts at its first field (a typed confirmation at its input).
      dialog.querySelector<HTMLElement>('.modal__body :is(input:not([type="hidden"]):not([type="radio"]):not([type="checkbox"]), select, textarea):not(:disabled)')?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      className={`modal modal--${size}`}
      aria-label={title}
      onCancel={(event) => {
        event.preventDefault();
        if (dismissable) onClose();
      }}
    >
      {open ? (
        <div className="modal__frame">
          <header className="modal__header">
            <h2 className="modal__title">{title}</h2>
            {dismissable ? (
              <button type="button" className="btn btn--ghost btn--icon" onClick={onClose} aria-label="Close">
                <svg viewBox="0 0 16 16" aria-hidden="true" className="icon">
                  <path d="M4 4l8 8M12 4l-8 8" />
                </svg>
              </button>
            ) : null}
          </header>
          <div className="modal__body">{children}</div>
          {footer ? <footer className="modal__footer">{footer}</footer> : null}
        </div>
      ) : null}
    </dialog>
  );
}

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** The destructive button's label, e.g. "Delete backup". */
  confirmLabel: string;
  /** Until the typed confirmation matches, or while the work runs. */
  disabled?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}

/** A destructive action's last step: what will happen, Cancel, and a red button. */
export function ConfirmDialog({ open, title, confirmLabel, disabled, onConfirm, onClose, children }: ConfirmDialogProps) {
  return (
    <Modal
      open={open}
      title={title}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn--danger" disabled={disabled} onClick={onConfirm}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
    </Modal>
  );
}
