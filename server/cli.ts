// The `paydesk` command lives in cli/ (bin/paydesk.js starts it). This entry stays so
// that scripts and branches that run `tsx server/cli.ts serve …` keep working; new
// callers use bin/paydesk.js.
import { run } from '../cli/main.ts';

process.exit(await run(process.argv.slice(2)));
