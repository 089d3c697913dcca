// A camera that sends nothing: the page still loads and logs in at once (the stream is the only
// request that waits), and says "No signal" from the server's state.
// Usage: node no-signal.mjs BASE_URL USER PASSWORD; prints "ok" when every check held.
import { chromium } from 'playwright-core';

const [base, user, password] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  page.setDefaultTimeout(10000);
  const started = Date.now();
  await page.goto(base);
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('#login button[type=submit]');
  await page.locator('#status', { hasText: 'live' }).waitFor();
  await page.locator('#version', { hasText: /\d+\.\d+\.\d+/ }).waitFor();
  const ready = Date.now() - started;
  if (ready > 5000) throw new Error(`the page took ${ready} ms to be usable`);
  await page.locator('#nosignal', { hasText: 'No signal' }).waitFor();
  if (await page.locator('#resolution').textContent() !== '–') throw new Error('a size is shown without a frame');
  console.log('ok');
} finally {
  await browser.close();
}
