// Folders are process boundaries (STYLE.md): a wrong import fails `npm test`.
import tseslint from 'typescript-eslint';

const noDefaultExport = {
  selector: 'ExportDefaultDeclaration',
  message: 'Use named exports (STYLE.md).',
};

// Bare builtin names are listed as exact paths: as patterns they would also match folders such as server/http.
const nodeOnly = ['fs', 'path', 'os', 'crypto', 'http', 'https', 'net', 'child_process', 'worker_threads', 'better-sqlite3']
  .map((name) => ({ name, message: 'renderer/ is DOM only: no Node modules.' }));

// Rules live once (STYLE.md): the Request lab shows the server's dry run, so the
// verifier's constants have no business in the renderer. A literal of one is the
// sign that a check is being copied; take what the page needs from contract/.
const copiedRules = [
  { value: "'mozilla/payments/pay/v1'", what: 'the payment request typ: import PAY_TYP from contract/api.ts' },
  { value: '8192', what: 'the token size cap: ask the server (POST /api/requests/verify)' },
  { value: "'marketplace.firefox.com'", what: 'an accepted audience: ask the server (POST /api/requests/verify)' },
  { value: "'2580'", what: 'a PIN the server refuses as too common: isTrivialPin from contract/pin.ts' },
].map(({ value, what }) => ({ selector: `Literal[value=${value}]`, message: `renderer/ holds no verification rule or constant (${what}).` }));

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'build/**', 'out/**', 'renderer/dist/**', 'bench/results/**', 'bench/.scratch/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  {
    // Tool configs (eslint, vite) must default-export; everything else uses named exports.
    ignores: ['eslint.config.js', '**/vite.config.ts'],
    rules: {
      'no-restricted-syntax': ['error', noDefaultExport],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': ['error', noDefaultExport, ...copiedRules,
        { selector: 'FunctionDeclaration[id.name=/^(parseAmount|explainRequest|isPinFormat|isTrivialPin)$/]', message: 'renderer/ holds no copy of a server rule: money parsing lives in contract/money.ts, the PIN rule in contract/pin.ts, verification in the server.' }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'renderer/ runs in a sandboxed page: use the preload bridge.' }, ...nodeOnly],
        patterns: [
          { group: ['node:*'], message: 'renderer/ is DOM only: no Node modules.' },
          { regex: '(^|/)server/', message: 'renderer/ talks to the server over HTTP, through contract/ (the routes, the client, the events).' },
          { regex: '(^|/)electron/', message: 'renderer/ cannot import the main process.' },
        ],
      }],
    },
  },
  {
    files: ['server/**/*.ts', 'sdk/**/*.ts', 'demo/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'server/, sdk/ and demo/ are plain Node: never import electron.' }],
        patterns: [
          { group: ['**/electron/**', 'electron/*'], message: 'Plain Node code cannot import the Electron shell.' },
          { group: ['**/renderer/**'], message: 'The server does not import the console UI.' },
        ],
      }],
    },
  },
  {
    // A Tx (server/db/tx.ts) says "inside the write transaction": only the commit helpers
    // in server/db/ make one, so a cast elsewhere would forge what the compiler checks.
    files: ['server/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['server/db/**'],
    rules: {
      'no-restricted-syntax': ['error', noDefaultExport, {
        selector: ':matches(TSAsExpression, TSTypeAssertion, TSSatisfiesExpression) > TSTypeReference.typeAnnotation[typeName.name="Tx"]',
        message: 'Only commit() and immediate() (server/db/) make a Tx: run the write inside one of them.',
      }],
    },
  },
  {
    // What crosses a boundary, typed once: every process imports it, so it may
    // import nothing of any process (zod only; no Node, no Electron, no DOM code).
    files: ['contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'contract/ is imported by every process: no Electron.' }, ...nodeOnly.map((p) => ({ ...p, message: 'contract/ is imported by every process: no Node modules.' }))],
        patterns: [
          { group: ['node:*'], message: 'contract/ is imported by every process: no Node modules.' },
          { regex: '(^|/)(server|renderer|electron|sdk|demo|test|bench)/', message: 'contract/ imports nothing but itself and zod.' },
        ],
      }],
    },
  },
  {
    // Tests that pass by chance: the final scan (test/final/no-card-data.check.ts) flags any
    // Luhn-valid digit run the run wrote, and Math.random() digits make one now and then.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'Math.random() digits can read as a card number to the final scan: use randomUUID() or a counter.' },
        // What a fixed wait shows depends on how busy the machine is.
        { property: 'waitForTimeout', message: 'Wait for the state itself (a locator, an event, animationsSettled() in test/helpers/animations.ts), not for a time.' },
      ],
    },
  },
  {
    // cli/ is the `paydesk` command, a client of the running server: it talks to it through
    // contract/ (the one client, the events) and may use sdk/ as a merchant's server would.
    // Only `serve` starts Paydesk, and only through the server's start entry.
    files: ['cli/**/*.ts'],
    ignores: ['cli/serve-server.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'cli/ is plain Node.' }],
        patterns: [
          { regex: '(^|/)server/', message: 'cli/ talks to the running server through contract/ (client.ts, events.ts); only cli/serve-server.ts starts it, through server/main.ts.' },
          { regex: '(^|/)(renderer|electron|demo|test|bench)/', message: 'cli/ imports only contract/, sdk/ and itself.' },
        ],
      }],
    },
  },
  {
    files: ['cli/serve-server.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'cli/ is plain Node.' }],
        patterns: [
          { regex: '(^|/)server/(?!main\\.ts$)', message: '`paydesk serve` starts Paydesk through its start entry only: import it from server/main.ts.' },
          { regex: '(^|/)(renderer|electron|demo|test|bench)/', message: 'cli/ imports only contract/, sdk/, itself and (here) server/main.ts.' },
        ],
      }],
    },
  },
  {
    files: ['sdk/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'sdk/ is plain Node.' }],
        patterns: [{ group: ['**/server/**', '**/electron/**', '**/renderer/**'], message: 'sdk/ is the merchant library: it stands alone.' }],
      }],
    },
  },
);
