// What every `paydesk` command shares, run through the bin: --help, the overview,
// usage errors (exit 1), finding the running Paydesk from its data folder or from
// --url and PAYDESK_TOKEN (never a token in a URL), and exit 2 when none answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands, overview } from '../../cli/commands.ts';
import { freshDataDir, startTestServer } from '../helpers/paydesk.ts';
import { defaultPublicLimits } from '../../server/http/server.ts';
import { serve } from '../../cli/serve.ts';
import { paydesk, finished } from '../helpers/cli.ts';

test('`paydesk <command> --help` prints the command\'s help and exits 0; `paydesk --help` lists them all', async () => {
  for (const c of commands) {
    const r = await finished(paydesk([...c.words, '--help']));
    assert.equal(r.code, 0, r.output());
    assert.equal(r.stdout(), `${c.help}\n`);
  }
  const all = await finished(paydesk(['--help']));
  assert.equal(all.code, 0);
  assert.equal(all.stdout(), `${overview()}\n`);
  for (const c of commands) assert.match(all.stdout(), new RegExp(`^  ${c.words.join(' ')} +\\S`, 'm'));
});

test('usage errors exit 1 and say what is wrong: no command, an unknown one, an unknown flag, a stray argument', async () => {
  const none = await finished(paydesk([]));
  assert.equal(none.code, 1);
  assert.match(none.stdout(), /^Usage: paydesk <command>/);
  const unknown = await finished(paydesk(['teleport', '--json']));
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr(), /^Unknown command "teleport"/);
  assert.deepEqual((unknown.jsonLines()[0] as { error: { code: string; exit: number } }).error, { code: 'usage', exit: 1, message: (unknown.jsonLines()[0] as { error: { message: string } }).error.message });
  const flag = await finished(paydesk(['login', '--colour']));
  assert.equal(flag.code, 1);
  assert.match(flag.stderr(), /Unknown option '--colour'/);
  const stray = await finished(paydesk(['login', 'now']));
  assert.equal(stray.code, 1);
  assert.match(stray.stderr(), /Unexpected argument "now"/);
});

test('serve --json prints one line once listening; the data folder names the server while it runs, and only then', async () => {
  const dataDir = freshDataDir('cli-serve-json');
  const s = paydesk(['serve', '--port', '0', '--data-dir', dataDir, '--json']);
  await s.printed(/^\{.*\}\n/m);
  const doc = s.jsonLines()[0] as { url: string; loginLink: string; dataDir: string; tokenFile: string };
  assert.match(doc.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(doc.loginLink.startsWith(`${doc.url}/#login=`));
  assert.equal(doc.tokenFile, join(dataDir, 'admin-token'));
  assert.equal(readFileSync(join(dataDir, 'server-url'), 'utf8').trim(), doc.url);
  const login = await finished(paydesk(['login', '--data-dir', dataDir, '--json']));
  assert.equal(login.code, 0, login.output());
  assert.ok((login.jsonLines()[0] as { url: string }).url.startsWith(`${doc.url}/#login=`));
  s.child.kill('SIGTERM');
  assert.equal(await s.exited, 0);
  assert.equal(existsSync(join(dataDir, 'server-url')), false);

  const stopped = await finished(paydesk(['login', '--data-dir', dataDir]));
  assert.equal(stopped.code, 2);
  assert.match(stopped.stderr(), /^No Paydesk is running with the data folder .* \(no server-url file\)\. Start it with `paydesk serve`/);
  const never = await finished(paydesk(['login', '--data-dir', freshDataDir('cli-never')]));
  assert.equal(never.code, 2);
  assert.match(never.stderr(), /^There is no .*admin-token: Paydesk has never run with this data folder\./);
});

test('--url with the token from PAYDESK_TOKEN; a token in the URL is refused (exit 1); a wrong token is exit 2', async () => {
  const t = await startTestServer();
  try {
    const ok = await finished(paydesk(['login', '--url', t.url, '--json'], { PAYDESK_TOKEN: t.server.token }));
    assert.equal(ok.code, 0, ok.output());
    assert.ok((ok.jsonLines()[0] as { url: string }).url.startsWith(`${t.url}/#login=`));
    assert.doesNotMatch(ok.output(), new RegExp(t.server.token), 'the token is never printed');

    for (const url of [`${t.url}/?token=${t.server.token}`, `http://user:${t.server.token}@127.0.0.1:${t.server.port}`, `${t.url}/#${t.server.token}`]) {
      const inUrl = await finished(paydesk(['login', '--url', url]));
      assert.equal(inUrl.code, 1, url);
      assert.match(inUrl.stderr(), /--url must not carry a token, user, query or fragment: pass the token with --token or PAYDESK_TOKEN\./);
    }
    const noToken = await finished(paydesk(['login', '--url', t.url, '--data-dir', freshDataDir('cli-no-token')]));
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr(), /--url needs the console token too/);

    const wrong = await finished(paydesk(['login', '--url', t.url, '--json'], { PAYDESK_TOKEN: 'not-the-token' }));
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr(), /did not accept the token in PAYDESK_TOKEN/);
    assert.equal((wrong.jsonLines()[0] as { error: { code: string } }).error.code, 'unauthorized');
  } finally {
    await t.close();
  }
});

test('serve --help states the server\'s own public-API defaults (cli/serve.ts does not load the server to print them)', () => {
  assert.match(serve.help, new RegExp(`bursts of 30 seconds' worth \\(default ${defaultPublicLimits.requestsPerSecond}\\)`));
  assert.match(serve.help, new RegExp(`kept a day \\(default ${defaultPublicLimits.keysPerOrigin}\\)`));
});
