// Logs in as a user of each role and checks that the page offers only what the role may do, and that
// nothing it does on its own meets a refusal (403 or -32001).
// Usage: node roles.mjs BASE_URL PASSWORD; users "viewer", "operator" and "admin" share the password.
// Prints "ok" when every check held.
import { launchChromium, logIn, check } from './chromium.mjs';

const [base, password] = process.argv.slice(2);
const browser = await launchChromium();

// What each role sees: [selector, visible] and [selector, enabled].
// The server has one finished recording, so the Recordings table has a row (with Delete for operators).
const operatorShown = { '#rec-start': true, '#rec-stop': true, '#motion-apply': true };
const operatorEnabled = { '#motion-sensitivity': true, '#motion-zones-edit': true };
const expected = {
  viewer: { shown: { '#camera-apply': false, '#files': false, '#runtime': false, '#set': false, '#live': true,
                     '#rec-start': false, '#rec-stop': false, '#motion-apply': false },
            enabled: { '#cam-fps': false, '#pin-ir_cut': false, '#motion-sensitivity': false, '#motion-zones-edit': false },
            deletes: false },
  operator: { shown: { '#camera-apply': true, '#files': true, '#runtime': false, '#set': true, '#live': true, ...operatorShown },
              enabled: { '#cam-fps': true, '#pin-ir_cut': true, ...operatorEnabled }, deletes: true },
  admin: { shown: { '#camera-apply': true, '#files': true, '#runtime': true, '#set': true, '#live': true, ...operatorShown },
           enabled: { '#cam-fps': true, '#pin-ir_cut': true, ...operatorEnabled }, deletes: true },
};

try {
  for (const [role, want] of Object.entries(expected)) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const refusals = [];
    page.on('response', (response) => { if (response.status() === 403) refusals.push(`${response.status()} ${response.url()}`); });
    page.on('pageerror', (error) => refusals.push('page error: ' + error.message));
    await page.goto(base);
    await logIn(page, role, password);
    await page.locator('#pin-ir_cut').waitFor({ state: 'attached' });
    await page.waitForFunction(() => document.getElementById('cam-fps').value !== '');
    await page.waitForTimeout(500);
    check(await page.locator('#camera-apply').isVisible() === want.shown['#camera-apply'], `${role}: the Apply button's visibility`);
    for (const [selector, shown] of Object.entries(want.shown)) {
      // The hidden attribute: #set sits in a panel that starts closed, so "visible" would say nothing.
      const hidden = await page.locator(selector).evaluate((node) => node.hidden);
      check(hidden === !shown, `${role}: ${selector} should ${shown ? '' : 'not '}be shown`);
    }
    for (const [selector, enabled] of Object.entries(want.enabled)) {
      check(await page.locator(selector).isEnabled() === enabled, `${role}: ${selector} should ${enabled ? '' : 'not '}be enabled`);
    }
    await page.locator('#rec-rows tr').first().waitFor();
    const deletes = await page.locator('#rec-rows button[aria-label^="Delete "]').count();
    check((deletes > 0) === want.deletes, `${role}: recordings should ${want.deletes ? '' : 'not '}have Delete buttons (${deletes})`);
    check(refusals.length === 0, `${role}: ${refusals.join(', ')}`);
    await context.close();
  }
  console.log('ok');
} finally {
  await browser.close();
}
