// The bin users run: src/main.ts and what it imports bundled by esbuild into dist/bundle/ (ESM, code-split so every
// dynamic import() stays a chunk loaded only when it runs). Loading one file instead of ~740 ESM modules is most of
// the console's start-up time. `npm run build` runs this after tsc (whose dist/src the tests import).
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(REPO, 'dist/bundle');

// Loaded from node_modules at run time (they stay runtime dependencies):
// - ssh2 has optional native bindings (cpu-features, its sshcrypto addon) that it require()s inside try/catch;
// - systeminformation and prom-client are CommonJS loaded after the first frame, nothing to gain by bundling them;
// - react-devtools-core and ws are only for Ink's devtools hook (DEV=true); without them installed Ink warns and
//   goes on, as it does unbundled without react-devtools-core.
const external = ['ssh2', 'systeminformation', 'prom-client', 'react-devtools-core', 'ws'];

// With DEV=true Ink reads its own package.json next to its build directory; in the bundle there is none, so the
// bundle carries the two fields Ink wants from it.
const inkPackageJson = {
  name: 'ink-package-json',
  setup(b) {
    b.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const read = "fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')";
      if (!source.includes(read)) throw new Error(`${args.path}: Ink no longer reads its package.json as expected`);
      const { name, version } = JSON.parse(await readFile(join(dirname(args.path), '../package.json'), 'utf8'));
      return { contents: source.replace(read, JSON.stringify(JSON.stringify({ name, version }))), loader: 'js' };
    });
  },
};

await rm(OUT, { recursive: true, force: true });
const result = await build({
  entryPoints: { lvstop: join(REPO, 'src/main.ts') },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  external,
  plugins: [inkPackageJson],
  // Bundled CommonJS (commander, react, ...) require() Node built-ins; ESM has no `require`, so give every file one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  legalComments: 'none',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
});

await writeFile(join(REPO, 'dist/bundle-meta.json'), JSON.stringify(result.metafile));
if (process.argv.includes('--sizes')) {
  for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
    process.stdout.write(`${String(bytes).padStart(9)}  ${relative(REPO, file)}\n`);
  }
}
