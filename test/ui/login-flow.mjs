// Drives the web UI in Chromium: wrong password, login, live state, setting a value, a value pushed
// from elsewhere, reload with the session cookie, logout.
// Usage: node login-flow.mjs BASE_URL USER PASSWORD
// Prints READY when it waits for the caller to set user.remote = "pushed"; prints ok at the end.
import { chromium } from 'playwright-core';

const [base, user, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  // The workplace's closed network: no background fetches, no QUIC, no sandbox as root.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(10000);
  const cell = (key) => page.locator(`[id="state-${key}"] td`).nth(1);

  await page.goto(base);
  await page.locator('#login').waitFor({ state: 'visible' });
  await page.fill('#user', user);
  await page.fill('#password', 'wrong');
  await page.click('#login button[type=submit]');
  await page.locator('#login-error', { hasText: 'Wrong user or password.' }).waitFor();

  await page.fill('#password', password);
  await page.click('#login button[type=submit]');
  await page.locator('#live').waitFor({ state: 'visible' });
  await page.locator('#status', { hasText: 'live' }).waitFor();
  await cell('system.websocket_clients').filter({ hasText: '1' }).waitFor();

  await page.fill('#set-key', 'user.note');
  await page.fill('#set-value', '"from the browser"');
  await page.click('#set button[type=submit]');
  await cell('user.note').filter({ hasText: '"from the browser"' }).waitFor();

  // The server's refusal is shown (the form's own pattern already keeps keys under user.).
  await page.fill('#set-key', 'user.not valid');
  await page.fill('#set-value', '5');
  await page.click('#set button[type=submit]');
  await page.locator('#set-error', { hasText: 'Keys may hold only' }).waitFor();

  console.log('READY');
  await cell('user.remote').filter({ hasText: '"pushed"' }).waitFor();

  await page.reload();
  await page.locator('#status', { hasText: 'live' }).waitFor();
  await cell('user.note').filter({ hasText: '"from the browser"' }).waitFor();

  await page.click('#logout');
  await page.locator('#login').waitFor({ state: 'visible' });
  await page.reload();
  await page.locator('#login').waitFor({ state: 'visible' });
  console.log('ok');
} finally {
  await browser.close();
}
