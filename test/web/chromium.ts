/**
 * Debian's Chromium for the browser tests (playwright-core, never a downloaded browser),
 * headless and quiet; tests skip themselves, saying so, where it is not installed.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable) {
  process.stderr.write(
    `[test] browser tests SKIPPED: no Chromium at ${CHROMIUM} (install the Debian package "chromium"; .ci/run does)\n`,
  );
}

/** `extraArgs`: e.g. `--host-resolver-rules=…` to give 127.0.0.1 another site's name. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
