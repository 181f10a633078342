// Entry point of the inspector page.
import './styles.css';
import { type AppElements, InspectorApp } from './app.js';
import { startWorker } from './worker.js';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`inspector.html has no #${id}`);
  return el as T;
}

const elements: AppElements = {
  form: byId('lookup'),
  home: byId('home'),
  input: byId('ref'),
  inputError: byId('ref-error'),
  upstreamLabel: byId('upstream-label'),
  samples: byId('samples'),
  online: byId('online'),
  view: byId('view'),
  panel: byId('cache'),
};

// Manifests must go through the worker from the first request on, so it comes first.
elements.view.textContent = 'Starting the cache…';
try {
  const worker = await startWorker();
  new InspectorApp(elements, worker).start();
} catch (error) {
  // Never left at "Starting the cache…": whatever went wrong is said.
  elements.view.textContent = `The inspector could not start: ${error instanceof Error ? error.message : String(error)}`;
  elements.view.setAttribute('role', 'alert');
}
document.documentElement.dataset.ready = 'true';
