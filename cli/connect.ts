// Finding the running Paydesk a command talks to. Either where `serve` (or the
// desktop app) says it is: the data folder's server-url and admin-token files
// (contract/local.ts); or --url with the token from --token or PAYDESK_TOKEN.
// A token is never taken from a URL: URLs end up in shell history, logs and
// process lists whole, and the server refuses query tokens anyway.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient, type Client } from '../contract/client.ts';
import { ADMIN_TOKEN_FILE, SERVER_URL_FILE, defaultDataDirFor, isServerUrl } from '../contract/local.ts';
import { stringFlag, type Flags, type Options } from './command.ts';
import { CliError, EXIT, usageError } from './exit.ts';

export interface Connection {
  readonly url: string;
  /** The console API client with the token, every answer checked against the contract (an impostor on the port is refused). */
  readonly client: Client;
  /** For the event stream (contract/client.ts streamEvents); never printed. */
  readonly token: string;
  /** Where the token came from, for error sentences ("the token in /x/admin-token"). */
  readonly tokenSource: string;
}

export const connectionOptions: Options = {
  url: { type: 'string' },
  token: { type: 'string' },
  'data-dir': { type: 'string' },
  port: { type: 'string' },
};

export const connectionHelp = `Finding Paydesk: the one \`paydesk serve\` (or the desktop app) runs with the data folder
  --data-dir DIR  (default: the per-user app-data folder, e.g. ~/.config/Paydesk); or
  --url URL       its address, e.g. http://127.0.0.1:7402, with the console token from
  --token TOKEN   or the PAYDESK_TOKEN environment variable (never inside the URL)
  --port PORT     the data folder's token, but this port on 127.0.0.1`;

export function dataDirOf(flags: Flags, env: Readonly<Record<string, string | undefined>>): string {
  return resolve(stringFlag(flags, 'data-dir') ?? defaultDataDirFor(env, process.platform, homedir()));
}

function readFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function portUrl(port: string): string {
  const n = Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw usageError(`--port must be a whole number from 1 to 65535, not "${port}".`);
  return `http://127.0.0.1:${n}`;
}

/** --url as given, refused when it carries anything but scheme, host, port and path. */
function givenUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw usageError(`--url must be an address such as http://127.0.0.1:7402, not "${text}".`);
  }
  if (u.username || u.password || u.search || u.hash) {
    throw usageError('--url must not carry a token, user, query or fragment: pass the token with --token or PAYDESK_TOKEN.');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usageError(`--url must start with http:// or https://, not "${u.protocol}".`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

export function connect(flags: Flags, env: Readonly<Record<string, string | undefined>>): Connection {
  const urlFlag = stringFlag(flags, 'url');
  const portFlag = stringFlag(flags, 'port');
  if (urlFlag !== undefined && portFlag !== undefined) throw usageError('Pass --url or --port, not both.');
  // A token in --url is refused before anything else is read: the sentence must not be about a missing token.
  const checkedUrl = urlFlag === undefined ? undefined : givenUrl(urlFlag);
  const given = stringFlag(flags, 'token') ?? env.PAYDESK_TOKEN;
  const dataDir = dataDirOf(flags, env);
  const start = 'Start it with `paydesk serve` (or `npm start`)';

  let token: string;
  let tokenSource: string;
  if (given !== undefined && given !== '') {
    token = given;
    tokenSource = stringFlag(flags, 'token') !== undefined ? 'the token from --token' : 'the token in PAYDESK_TOKEN';
  } else {
    const tokenFile = join(dataDir, ADMIN_TOKEN_FILE);
    const read = readFile(tokenFile);
    if (read === undefined) {
      if (urlFlag !== undefined) throw usageError('--url needs the console token too: pass --token or set PAYDESK_TOKEN.');
      throw new CliError(EXIT.unreachable, 'not_running', `There is no ${tokenFile}: Paydesk has never run with this data folder. ${start}, or pass the --data-dir of the one running.`);
    }
    token = read;
    tokenSource = `the token in ${tokenFile}`;
  }

  let url: string;
  if (checkedUrl !== undefined) url = checkedUrl;
  else if (portFlag !== undefined) url = portUrl(portFlag);
  else {
    const file = join(dataDir, SERVER_URL_FILE);
    const read = readFile(file);
    if (read === undefined || !isServerUrl(read)) {
      throw new CliError(EXIT.unreachable, 'not_running', `No Paydesk is running with the data folder ${dataDir} (no ${SERVER_URL_FILE} file). ${start}, or pass the --data-dir or --url of the one running.`);
    }
    url = read;
  }
  return { url, token, tokenSource, client: createClient({ baseUrl: url, token, checkResponses: true }) };
}
