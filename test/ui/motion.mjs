// The motion panel in Chromium: an operator turns detection on, draws the zones by clicking cells of the
// grid over the live picture (the top row off), applies, and the page shows the motion of the test
// pattern's box. The grid must lie over the picture itself (4:3 in the 16:9 view), not the letterbox.
// Usage: node motion.mjs BASE_URL USER PASSWORD; prints "ZONES <json>" (motion.get's, after Apply), then "ok".
import { launchChromium, desktopPage, logIn, check } from './chromium.mjs';

const [base, user, password] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const { page, errors } = await desktopPage(browser);
  await page.goto(base);
  await logIn(page, user, password);
  await page.locator('#motion-state', { hasText: 'Still' }).waitFor();
  check(await page.locator('#zones').isHidden(), 'no grid while the whole picture is watched and nobody edits');

  await page.check('#motion-enabled');
  await page.click('#motion-zones-edit');
  await page.locator('#zones .cell').first().waitFor();
  check(await page.locator('#zones .cell').count() === 64, 'an 8 × 8 grid to start from');
  for (let column = 1; column <= 8; column++) await page.click(`#zones [aria-label="zone row 1 column ${column}"]`);
  check(await page.locator('#zones .cell.watched').count() === 56, 'the top row is off');
  // The grid covers the picture: 320 × 240 shown in the view's 16:9 box (H.264 in the video player, or MJPEG).
  await page.waitForFunction(() => document.getElementById('player').videoWidth > 0 || document.getElementById('video').naturalWidth > 0);
  const grid = await page.locator('#zones').boundingBox();
  const view = await page.locator('#live .view').boundingBox();
  check(Math.abs(grid.width / grid.height - 4 / 3) < 0.02, `the grid is ${grid.width} × ${grid.height}, not 4:3`);
  check(Math.abs(grid.height - view.height) < 2 && grid.x > view.x, 'the grid is as tall as the view and inside it');

  await page.click('#motion-apply');
  await page.locator('#motion-done', { hasText: 'Saved.' }).waitFor();
  console.log('ZONES ' + JSON.stringify(await page.evaluate(async () => {
    const reply = await fetch('/api', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 1, method: 'motion.get' }) });
    return (await reply.json()).result.zones;
  })));
  await page.locator('#motion-state', { hasText: 'Motion' }).waitFor();
  check(await page.locator('#zones.moving').count() === 1, 'the grid shows the motion');
  check(errors.length === 0, 'page errors: ' + errors.join(', '));
  console.log('ok');
} finally {
  await browser.close();
}
