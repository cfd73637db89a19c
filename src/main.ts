#!/usr/bin/env node
// React, Ink and its colour library read these when they load, so set them before importing anything.
process.env.NODE_ENV ??= 'production';
if (process.env.NO_COLOR || process.argv.includes('--no-color')) process.env.FORCE_COLOR = '0';
const { main } = await import('./cli/program.js');
await main(process.argv);
