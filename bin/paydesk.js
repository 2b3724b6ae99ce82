#!/usr/bin/env node
// `paydesk` as `npx paydesk` and `npm link` install it: plain JavaScript that lets
// Node load the TypeScript sources through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../cli/main.ts');
process.exit(await run(process.argv.slice(2)));
