// Debian's headless Chromium, driven by playwright-core: one launch for the browser tests,
// scripts/budget and the benchmark. Quiet flags: no GPU, no background networking, updates or sync, so a run
// makes no request the page did not make.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
]);

// extraArgs: more command-line flags, e.g. the benchmark's --js-flags for V8.
export function launchChromium(extraArgs = []) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}
