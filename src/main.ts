#!/usr/bin/env node
// React and Ink pick their production builds from NODE_ENV, which must be set before they load.
process.env.NODE_ENV ??= 'production';
const { main } = await import('./cli.js');
await main(process.argv);
