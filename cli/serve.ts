// `paydesk serve`: the provider server, headless, with the console in the browser.
// Its flags and help are here; what runs is cli/serve-server.ts, loaded only for
// `serve`, so the commands that talk to a running Paydesk never load the server.
import type { Command } from './command.ts';
import { exitHelp } from './exit.ts';

export const serve: Command = {
  words: ['serve'],
  summary: 'run Paydesk headless and print the console\'s login link',
  help: `Usage: paydesk serve [--port 7402] [--data-dir DIR] [--audience paydesk] [--notice-time-scale 1]
                     [--public-rate 10] [--public-keys 1000] [--test-clock] [--dev] [--json]
  Runs Paydesk on 127.0.0.1 until Ctrl-C (or SIGTERM) and prints the console's login link.
  --port      TCP port on 127.0.0.1 (default 7402; 0 picks a free one)
  --data-dir  where ledger.db, vault.db, master.key, admin-token and server-url live
              (default: the per-user app-data folder, e.g. ~/.config/Paydesk)
  --audience  the aud payment requests must carry (default "paydesk")
  --notice-time-scale  multiplies every notice retry wait (default 1; 0.001 turns
              the ~3-day schedule into ~4 minutes, for development)
  --public-rate  requests per second one origin may make to the public API
              (/v1/*), with bursts of 30 seconds' worth (default 10)
  --public-keys  Idempotency-Keys one origin may hold on the public API, each
              kept a day (default 1000); load tests raise both
  --test-clock  development only: a clock the console can move forward (a
              "Test clock" banner) to expire purchases, end PIN lockouts, run
              notice retries now and end secrets' grace periods; use a data
              folder of its own (--data-dir is required with it): its times
              run ahead of the real ones
  --dev       development (with \`npm run dev:renderer\`): every answer is checked
              against its schema in contract/api.ts; a mismatch answers 500
              internal_error and logs the route and the fields
  --json      one line {"url","loginLink","dataDir","tokenFile"} once listening
${exitHelp}`,
  options: {
    port: { type: 'string', default: '7402' },
    'data-dir': { type: 'string' },
    audience: { type: 'string' },
    'notice-time-scale': { type: 'string' },
    'public-rate': { type: 'string' },
    'public-keys': { type: 'string' },
    'test-clock': { type: 'boolean' },
    dev: { type: 'boolean' },
  },
  positionals: [0, 0],
  run: async (ctx) => (await import('./serve-server.ts')).runServe(ctx),
};
