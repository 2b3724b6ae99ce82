// README.md holds the `--help` of every command, so it cannot go stale: a command
// whose help changes (or a new one in cli/commands.ts) fails here with the block to paste.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commands, overview } from '../../cli/commands.ts';

const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The block README.md shows for `paydesk <words> --help`. */
function block(words: string, help: string): string {
  return ['```text', `$ paydesk ${words}--help`, help, '```'].join('\n');
}

test('README.md shows `paydesk --help` as the command prints it', () => {
  const want = block('', overview());
  assert.ok(readme.includes(want), `README.md, section "The \`paydesk\` command", should hold:\n\n${want}`);
});

for (const c of commands) {
  const words = c.words.join(' ');
  test(`README.md shows \`paydesk ${words} --help\` as the command prints it`, () => {
    const want = block(`${words} `, c.help);
    assert.ok(readme.includes(`### \`paydesk ${words}\``), `README.md needs a "### \`paydesk ${words}\`" heading`);
    assert.ok(readme.includes(want), `README.md, under "### \`paydesk ${words}\`", should hold:\n\n${want}`);
  });
}
