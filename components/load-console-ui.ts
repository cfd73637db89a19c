import type { render as inkRender } from 'ink';
import type { App as ConsoleApp } from './App.js';

export interface ConsoleUi {
  readonly render: typeof inkRender;
  readonly App: typeof ConsoleApp;
}

/**
 * Ink and the console's App, imported with `fetch` hidden. yoga-layout (Ink's layout engine) loads its wasm, which
 * is inlined as a `data:` URL, through `fetch` whenever there is one: that loads Node's whole HTTP client at start-up
 * (50–80 ms here, before the first frame) only to decode bytes the loader decodes itself when there is no `fetch`.
 * Nothing in the console uses `fetch`; it is put back as it was once the import is done.
 */
export async function loadConsoleUi(): Promise<ConsoleUi> {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (saved?.configurable) delete (globalThis as { fetch?: unknown }).fetch;
  try {
    const [ink, app] = await Promise.all([import('ink'), import('./App.js')]);
    return { render: ink.render, App: app.App };
  } finally {
    if (saved?.configurable) Object.defineProperty(globalThis, 'fetch', saved);
  }
}
