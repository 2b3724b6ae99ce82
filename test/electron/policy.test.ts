// The security checklist's pure half (docs/desktop.md): each decision main.ts wires
// to an Electron hook, tested here without the Electron binary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  APP_ORIGIN, APP_SCHEME_PRIVILEGES, CONFIRM_WINDOW, EXTERNAL_ALLOWLIST, appProtocolHeaders, confirmationUrl,
  contentSecurityPolicy, deepLinkFromArgv, deepLinkToRoute, isAllowedExternalUrl, isAllowedNavigation, isPermissionGranted,
  isTrustedSender, nativeBindingFor, protocolClientArgs, resolveAppProtocolPath, secureWebPreferences, userDataDir, windowOpenDecision,
} from '../../electron/policy.ts';

test('webPreferences: sandboxed, isolated, no Node, web security on, no webview', () => {
  const prefs = secureWebPreferences('/app/build/electron/preload.js', { devTools: false });
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.experimentalFeatures, false);
  assert.equal(prefs.devTools, false);
  assert.equal(prefs.preload, '/app/build/electron/preload.js');
});

test('CSP: no inline or eval script, no frames or plugins, network only to the provider server', () => {
  const csp = contentSecurityPolicy({ apiOrigin: 'http://127.0.0.1:4312' });
  const directives = new Map(csp.split('; ').map((d) => {
    const [name = '', ...values] = d.split(' ');
    return [name, values] as const;
  }));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  assert.deepEqual(directives.get('connect-src'), ['http://127.0.0.1:4312']);
  for (const d of ['object-src', 'frame-src', 'frame-ancestors', 'form-action', 'base-uri']) assert.deepEqual(directives.get(d), ["'none'"], d);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  assert.match(directives.get('img-src')?.join(' ') ?? '', /http:\/\/127\.0\.0\.1:4312/);
});

test('CSP travels as a header with every app:// response, with nosniff', () => {
  const h = appProtocolHeaders('/dist/assets/index-abc.js', "default-src 'none'");
  assert.equal(h['content-security-policy'], "default-src 'none'");
  assert.equal(h['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(appProtocolHeaders('/dist/index.html', 'x')['content-type'], 'text/html; charset=utf-8');
  assert.equal(appProtocolHeaders('/dist/blob.weird', 'x')['content-type'], 'application/octet-stream');
});

test('app protocol: serves renderer/dist files and refuses traversal, other origins and odd encodings', () => {
  const root = mkdtempSync(join(tmpdir(), 'paydesk-dist-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  assert.equal(resolveAppProtocolPath(root, 'app://paydesk/'), join(root, 'index.html'));
  assert.equal(resolveAppProtocolPath(root, 'app://paydesk/#/confirm/pur_1'), join(root, 'index.html'));
  assert.equal(resolveAppProtocolPath(root, 'app://paydesk/assets/index-abc.js?v=1'), join(root, 'assets', 'index-abc.js'));
  // The URL parser folds dot segments (also %2e%2e) before we see them: they stay inside root.
  assert.equal(resolveAppProtocolPath(root, 'app://paydesk/../../secret.txt'), join(root, 'secret.txt'));
  assert.equal(resolveAppProtocolPath(root, 'app://paydesk/assets/%2e%2e/%2e%2e/etc/passwd'), join(root, 'etc', 'passwd'));
  for (const bad of [
    'app://paydesk/..%2f..%2fetc%2fpasswd',
    'app://paydesk/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://paydesk/assets/..%5c..%5csecret.txt',
    'app://paydesk/%00index.html',
    'app://paydesk/%E0%A4%A',
    'app://other/index.html',
    'app://user@paydesk/index.html',
    'file:///etc/passwd',
    'http://paydesk/index.html',
    'not a url',
  ]) assert.equal(resolveAppProtocolPath(root, bad), null, bad);
});

test('app scheme privileges: standard and secure, never bypassing CSP', () => {
  assert.equal(APP_SCHEME_PRIVILEGES.standard, true);
  assert.equal(APP_SCHEME_PRIVILEGES.secure, true);
  assert.equal(APP_SCHEME_PRIVILEGES.bypassCSP, false);
  assert.equal(APP_SCHEME_PRIVILEGES.allowServiceWorkers, false);
  assert.equal(APP_ORIGIN, 'app://paydesk');
});

test('navigation denied: only our own app:// origin may load', () => {
  assert.equal(isAllowedNavigation('app://paydesk/'), true);
  assert.equal(isAllowedNavigation('app://paydesk/#/purchases'), true);
  for (const bad of ['https://evil.example/', 'http://127.0.0.1:4312/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', 'app://evil/', 'paydesk://purchases', 'app://x@paydesk/']) {
    assert.equal(isAllowedNavigation(bad), false, bad);
  }
});

test('window.open denied always; allowlisted https links go to the OS browser instead', () => {
  assert.deepEqual(windowOpenDecision('https://github.com/paydesk'), { action: 'deny', openExternally: true });
  assert.deepEqual(windowOpenDecision('https://evil.example/'), { action: 'deny', openExternally: false });
  assert.deepEqual(windowOpenDecision('app://paydesk/'), { action: 'deny', openExternally: false });
});

test('external links only through the https allowlist', () => {
  assert.ok(EXTERNAL_ALLOWLIST.includes('github.com'));
  assert.equal(isAllowedExternalUrl('https://github.com/WiseLibs/better-sqlite3'), true);
  assert.equal(isAllowedExternalUrl('https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/402'), true);
  for (const bad of [
    'http://github.com/', 'https://github.com.evil.example/', 'https://evil.example/?https://github.com',
    'https://user:pw@github.com/', 'https://github.com:8443/', 'file:///etc/passwd', 'javascript:alert(1)',
    'smb://github.com/share', 'https://sub.github.com/', '', 42, null, `https://github.com/${'a'.repeat(3000)}`,
  ]) assert.equal(isAllowedExternalUrl(bad), false, String(bad));
});

test('permission handlers deny everything except clipboard write and loopback from the console itself', () => {
  for (const p of ['geolocation', 'media', 'notifications', 'midi', 'openExternal', 'clipboard-read', 'hid', 'usb', 'serial', 'display-capture', 'fullscreen', 'unknown']) {
    assert.equal(isPermissionGranted(p, 'app://paydesk/'), false, p);
  }
  assert.equal(isPermissionGranted('clipboard-sanitized-write', 'app://paydesk/'), true);
  assert.equal(isPermissionGranted('clipboard-sanitized-write', 'app://paydesk'), true);
  assert.equal(isPermissionGranted('loopback-network', 'app://paydesk'), true);
  assert.equal(isPermissionGranted('clipboard-sanitized-write', 'https://evil.example/'), false);
  assert.equal(isPermissionGranted('clipboard-sanitized-write', 'http://127.0.0.1:4312/'), false);
  assert.equal(isPermissionGranted('clipboard-sanitized-write', ''), false);
  assert.equal(isPermissionGranted('clipboard-sanitized-write', null), false);
});

test('IPC senders: only our app:// origin; a missing frame is a rejection', () => {
  assert.equal(isTrustedSender('app://paydesk/'), true);
  assert.equal(isTrustedSender('app://paydesk/#/confirm/pur_1'), true);
  for (const bad of [null, undefined, '', 'about:blank', 'https://evil.example/', 'file:///x/index.html', 'http://127.0.0.1:4312/', 'app://paydesk.evil/', 'devtools://devtools/']) {
    assert.equal(isTrustedSender(bad), false, String(bad));
  }
});

test('deep links map to console routes or the confirmation window; anything else is ignored', () => {
  assert.deepEqual(deepLinkToRoute('paydesk://purchases/pur_abc123'), { kind: 'console', route: '/purchases/pur_abc123' });
  assert.deepEqual(deepLinkToRoute('paydesk://apps'), { kind: 'console', route: '/apps' });
  assert.deepEqual(deepLinkToRoute('paydesk://notices/ntc_1/'), { kind: 'console', route: '/notices/ntc_1' });
  assert.deepEqual(deepLinkToRoute('paydesk:wallet'), { kind: 'console', route: '/wallet' });
  assert.deepEqual(deepLinkToRoute('paydesk://confirm/pur_abc123'), { kind: 'confirm', purchaseId: 'pur_abc123' });
  for (const bad of [
    'paydesk://confirm', 'paydesk://unknown/x', 'paydesk://purchases/a/b', 'paydesk://purchases/%2f..%2f',
    'paydesk://purchases/<script>', 'paydesk://purchases/a%20b', 'paydesk://user@apps', 'paydesk://apps:99',
    'https://purchases/pur_1', 'paydesk://', 'nonsense',
  ]) assert.equal(deepLinkToRoute(bad), null, bad);
});

test('deep links arrive in argv on Windows and Linux', () => {
  assert.equal(deepLinkFromArgv(['/opt/Paydesk/paydesk', '--no-sandbox', 'paydesk://purchases/pur_1']), 'paydesk://purchases/pur_1');
  assert.equal(deepLinkFromArgv(['/opt/Paydesk/paydesk']), null);
});

test('protocol client registration passes the entry script when run unpackaged', () => {
  assert.deepEqual(protocolClientArgs({ defaultApp: false, execPath: '/opt/Paydesk/paydesk', argv: ['/opt/Paydesk/paydesk'] }), ['paydesk']);
  const dev = protocolClientArgs({ defaultApp: true, execPath: '/x/electron', argv: ['/x/electron', '/repo'] });
  assert.deepEqual(dev, ['paydesk', '/x/electron', ['/repo']]);
});

test('trusted confirmation window: its own focused, always-on-top window for one purchase', () => {
  assert.equal(CONFIRM_WINDOW.alwaysOnTop, true);
  assert.equal(CONFIRM_WINDOW.focusable, true);
  assert.equal(CONFIRM_WINDOW.minimizable, false);
  assert.equal(CONFIRM_WINDOW.fullscreenable, false);
  assert.equal(confirmationUrl('pur_abc123'), 'app://paydesk/#/confirm/pur_abc123');
  assert.equal(confirmationUrl('sgn_abc123'), 'app://paydesk/#/sign-in/sgn_abc123', 'a sign-in in the same trusted window');
  assert.throws(() => confirmationUrl('../x'));
});

test('user data: <appData>/Paydesk, like headless; PAYDESK_USER_DATA overrides', () => {
  assert.equal(userDataDir({}, '/home/a/.config'), join('/home/a/.config', 'Paydesk'));
  assert.equal(userDataDir({ PAYDESK_USER_DATA: '/tmp/p1' }, '/home/a/.config'), '/tmp/p1');
});

test('native binding: the Electron-ABI copy unpackaged, the default loader packaged', () => {
  assert.equal(nativeBindingFor({ isPackaged: false, appRoot: '/repo' }), join('/repo', 'build', 'native', 'electron', 'better_sqlite3.node'));
  assert.equal(nativeBindingFor({ isPackaged: true, appRoot: '/repo' }), undefined);
});
