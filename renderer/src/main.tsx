import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { useBackups } from './stores/backups.ts';
import { useProfiles } from './stores/profiles.ts';
import './styles/app.css';

// Asked before the first render, not from an effect after it: the catalogue (about 13 MB of JSON
// with 10,000 backups) is then on its way while React builds the page, and the page that opens
// joins this request instead of sending its own.
void useProfiles.getState().load();
void useBackups.getState().loadOrJoin();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
