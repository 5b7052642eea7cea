#!/usr/bin/env node
// The `harbor-dr` command: runs the TypeScript CLI through tsx, so no build step is needed.
require('tsx/cjs/api').register();
require('./cli.ts');
