// What the Chromium scripts share: Debian's Chromium started for this closed network, and Edge's login.
import { chromium } from 'playwright-core';

// No background fetches, no QUIC, no sandbox as root; media may start without a click when asked.
export function launchChromium({ autoplay = false } = {}) {
  const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];
  if (autoplay) args.push('--autoplay-policy=no-user-gesture-required');
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args });
}

// A desktop-sized page whose script errors are collected in `errors` (a check fails on any).
export async function desktopPage(browser, timeout = 15000) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.setDefaultTimeout(timeout);
  return { page, errors };
}

// Logs in through the page's form and waits until the live state arrives.
export async function logIn(page, user, password) {
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('#login button[type=submit]');
  await page.locator('#status', { hasText: 'live' }).waitFor();
}

export const check = (condition, message) => { if (!condition) throw new Error(message); };
