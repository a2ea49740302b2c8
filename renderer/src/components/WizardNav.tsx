// A wizard step's Back and Next buttons, shared by the restore wizard and a set's restore dialog. Its
// own module so the set dialog (on the Backups page's first screen) does not pull in the whole wizard.
import { useId } from 'react';
import { Spinner } from './ui.tsx';

/** disabledReason: said beside a disabled Next as text (and tied to it for screen readers), not only as a tooltip. */
export function WizardNav({
  back,
  next,
  nextLabel,
  nextDisabled,
  busy,
  disabledReason,
}: {
  back?: () => void;
  next: () => void;
  nextLabel: string;
  nextDisabled?: boolean;
  busy?: boolean;
  disabledReason?: string | undefined;
}) {
  const reasonId = useId();
  const reason = nextDisabled && disabledReason ? disabledReason : undefined;
  return (
    <div className="form__actions">
      {reason ? (
        <p id={reasonId} className="form__actions-reason" data-testid="start-disabled-reason">
          {reason}
        </p>
      ) : null}
      {back ? (
        <button type="button" className="btn" onClick={back}>
          Back
        </button>
      ) : null}
      <button type="button" className="btn btn--primary" onClick={next} disabled={nextDisabled || busy} aria-describedby={reason ? reasonId : undefined}>
        {busy ? <Spinner /> : null} {nextLabel}
      </button>
    </div>
  );
}
