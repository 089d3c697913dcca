// The recordings panel in Chromium: an operator presses Record, then Stop; the file shows on the day's
// timeline and in the table, and plays in the page's player (its clock moves, the picture has the
// camera's size). Usage: node recordings.mjs BASE_URL USER PASSWORD
// Prints "ok" when every check held.
import { launchChromium, desktopPage, logIn, check } from './chromium.mjs';

const [base, user, password] = process.argv.slice(2);

const browser = await launchChromium({ autoplay: true });
try {
  const { page, errors } = await desktopPage(browser);
  await page.goto(base);
  await logIn(page, user, password);
  await page.locator('#rec-empty').waitFor();

  await page.click('#rec-start');
  await page.locator('#rec-state', { hasText: 'recording (api)' }).waitFor();
  await page.locator('#rec-rows tr', { hasText: '(recording)' }).waitFor({ timeout: 20000 });
  await page.waitForTimeout(4000);
  await page.click('#rec-stop');
  await page.locator('#rec-state', { hasText: 'not recording' }).waitFor();
  // The closed file: on the timeline and in the table, no longer "(recording)".
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#rec-rows tr')];
    return rows.length === 1 && !rows[0].textContent.includes('(recording)');
  }, null, { timeout: 20000 });
  check(await page.locator('#rec-timeline button').count() === 1, 'one block on the timeline');

  await page.click('#rec-rows tr a');
  await page.waitForFunction(() => {
    const player = document.getElementById('rec-player');
    return !player.hidden && player.currentTime > 1.5 && player.videoWidth > 0;
  }, null, { timeout: 20000 });
  const size = await page.evaluate(() => [document.getElementById('rec-player').videoWidth, document.getElementById('rec-player').videoHeight]);
  console.log(`PLAYED ${size[0]}x${size[1]}`);
  check(errors.length === 0, 'page errors: ' + errors.join(', '));
  console.log('ok');
} finally {
  await browser.close();
}
