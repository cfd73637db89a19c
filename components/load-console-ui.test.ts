import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The built module, in a fresh node: this test process has long since loaded whatever it loads.
const built = fileURLToPath(new URL('../dist/components/load-console-ui.js', import.meta.url));

describe('loadConsoleUi', () => {
  it.skipIf(!existsSync(built))("loads Ink and the App without Node's HTTP client, and puts fetch back", () => {
    const script = `
      const { loadConsoleUi } = await import(${JSON.stringify(pathToFileURL(built).href)});
      const ui = await loadConsoleUi();
      const undici = process.moduleLoadList.some((m) => m.includes('undici'));
      console.log(JSON.stringify({ render: typeof ui.render, app: typeof ui.App, undici, fetch: typeof fetch }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ render: 'function', app: 'function', undici: false, fetch: 'function' });
  });
});
