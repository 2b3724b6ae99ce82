// electron-builder.yml, parsed: the installers, the fuses, native modules outside
// asar and the paydesk:// protocol are part of the security checklist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
// js-yaml comes with eslint (a devDependency); the config stays YAML as electron-builder documents it.
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  appId?: string;
  productName?: string;
  files?: string[];
  asar?: boolean;
  asarUnpack?: string[];
  npmRebuild?: boolean;
  protocols?: { name: string; schemes: string[] }[];
  electronFuses?: Record<string, boolean>;
  linux?: { target?: string[]; mimeTypes?: string[] };
  mac?: { target?: string[] };
  win?: { target?: string[] };
}

const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main?: string; scripts?: Record<string, string>; devDependencies?: Record<string, string> };

test('fuses: no Node mode, no NODE_OPTIONS or --inspect, asar only and integrity-checked, cookies encrypted, file:// unprivileged', () => {
  assert.deepEqual(config.electronFuses && {
    runAsNode: config.electronFuses.runAsNode,
    enableNodeOptionsEnvironmentVariable: config.electronFuses.enableNodeOptionsEnvironmentVariable,
    enableNodeCliInspectArguments: config.electronFuses.enableNodeCliInspectArguments,
    enableEmbeddedAsarIntegrityValidation: config.electronFuses.enableEmbeddedAsarIntegrityValidation,
    onlyLoadAppFromAsar: config.electronFuses.onlyLoadAppFromAsar,
    enableCookieEncryption: config.electronFuses.enableCookieEncryption,
    grantFileProtocolExtraPrivileges: config.electronFuses.grantFileProtocolExtraPrivileges,
  }, {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
  });
});

test('installers: AppImage and deb, dmg, nsis', () => {
  assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
  assert.deepEqual(config.mac?.target, ['dmg']);
  assert.deepEqual(config.win?.target, ['nsis']);
  assert.ok(config.appId && /^[a-z0-9.-]+$/.test(config.appId));
  assert.equal(config.productName, 'Paydesk', 'userData is <appData>/Paydesk, like headless');
});

test('native modules are unpacked from asar and rebuilt for Electron', () => {
  assert.equal(config.asar, true);
  assert.ok(config.asarUnpack?.includes('**/*.node'));
  assert.equal(config.npmRebuild, true);
});

test('paydesk:// is registered with the OS', () => {
  assert.deepEqual(config.protocols?.flatMap((p) => p.schemes), ['paydesk']);
  assert.ok(config.linux?.mimeTypes?.includes('x-scheme-handler/paydesk'));
});

test('the app ships the built shell and console, not the TypeScript sources', () => {
  assert.ok(config.files?.includes('build/electron/**'));
  assert.ok(config.files?.includes('renderer/dist/**'));
  assert.ok(config.files?.includes('!server/**/*.ts'));
  assert.equal(pkg.main, 'build/electron/main.js');
  assert.match(pkg.scripts?.['build:electron'] ?? '', /electron\/build\.ts/);
});

test('npm run dist builds the installers with electron-builder, a devDependency', () => {
  assert.equal(pkg.scripts?.dist, 'tsx electron/dist.ts');
  assert.match(pkg.devDependencies?.['electron-builder'] ?? '', /^\^?\d+\.\d+\.\d+$/);
});
