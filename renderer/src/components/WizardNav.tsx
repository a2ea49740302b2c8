// A wizard step's Back and Next buttons, shared by the restore wizard and a set's restore dialog. Its
// own module so the set dialog (on the Backups page's first screen) does not pull in the whole wizard.
import { Spinner } from './ui.tsx';

export function WizardNav({ back, next, nextLabel, nextDisabled, busy }: { back?: () => void; next: () => void; nextLabel: string; nextDisabled?: boolean; busy?: boolean }) {
  return (
    <div className="form__actions">
      {back ? (
        <button type="button" className="btn" onClick={back}>
          Back
        </button>
      ) : null}
      <button type="button" className="btn btn--primary" onClick={next} disabled={nextDisabled || busy}>
        {busy ? <Spinner /> : null} {nextLabel}
      </button>
    </div>
  );
}
