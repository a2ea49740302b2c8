// A view loaded as a chunk of its own (App.tsx) that fails — its chunk cannot be fetched because
// Holdfast was upgraded or holdfast serve stopped while this tab was open, or it throws while
// rendering — is replaced by a notice that says so and offers a reload, instead of React unmounting
// the whole app into a blank window. The navigation and the other views keep working.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What failed, in the user's words: "The Schedules page", "The restore wizard". */
  what: string;
  children: ReactNode;
}

interface State {
  failure: string | null;
}

export class ViewBoundary extends Component<Props, State> {
  override state: State = { failure: null };

  static getDerivedStateFromError(error: unknown): State {
    return { failure: error instanceof Error ? error.message : String(error) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`${this.props.what} failed`, error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.failure === null) return this.props.children;
    return (
      <div className="notice notice--bad" role="alert">
        <div className="notice__body">
          <p className="notice__title">{`${this.props.what} could not be loaded`}</p>
          <p className="notice__message">{this.state.failure}</p>
          <p className="notice__hint">Reload the page. If Holdfast was upgraded or holdfast serve restarted while this tab was open, the reload fetches the current version.</p>
        </div>
        <button type="button" className="btn btn--small" onClick={() => location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
