// `paydesk login`: a new console login link from the running Paydesk. The admin
// token goes into this one request and nowhere else (never printed).
import type { Command } from './command.ts';
import { connectionHelp } from './connect.ts';
import { EXIT, exitHelp } from './exit.ts';

/** What the printed links say about themselves (server/http/console-login.ts LOGIN_CODE_TTL_MS). */
export const LINK_NOTE = 'works once, in one browser, for 10 minutes; `paydesk login` prints a new one';

export const login: Command = {
  words: ['login'],
  summary: 'print a new console login link from the running Paydesk',
  help: `Usage: paydesk login [--data-dir DIR | --url URL] [--json]
  Asks the running Paydesk for a new single-use console login link.
  --json      {"url": <the link>}
${connectionHelp}
${exitHelp}`,
  options: {},
  positionals: [0, 0],
  async run({ connect, out }) {
    const { client } = connect();
    const link = await client.call('createLoginCode', { body: {} });
    out.result(`Console: open ${link.url} in your browser (${LINK_NOTE})`, { url: link.url });
    return EXIT.ok;
  },
};
