// A camera that sends nothing: the page still loads and logs in at once (the stream is the only
// request that waits), and says "No signal" from the server's state.
// Usage: node no-signal.mjs BASE_URL USER PASSWORD; prints "ok" when every check held.
import { launchChromium, logIn } from './chromium.mjs';

const [base, user, password] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
  page.setDefaultTimeout(10000);
  const started = Date.now();
  await page.goto(base);
  await logIn(page, user, password);
  await page.locator('#version', { hasText: /\d+\.\d+\.\d+/ }).waitFor();
  const ready = Date.now() - started;
  if (ready > 5000) throw new Error(`the page took ${ready} ms to be usable`);
  await page.locator('#nosignal', { hasText: 'No signal' }).waitFor();
  if (await page.locator('#resolution').textContent() !== '–') throw new Error('a size is shown without a frame');
  console.log('ok');
} finally {
  await browser.close();
}
