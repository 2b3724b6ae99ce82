// Pictures of a page at rest, or of one chosen moment of an animation, without
// waiting a fixed time first: what such a wait shows depends on how busy the
// machine is. Document.getAnimations() covers CSS animations and transitions.
import type { Page } from 'playwright-core';

/** Resolves once every animation and transition that ends has ended; endless ones (spinners) are left alone. */
export async function animationsSettled(page: Page): Promise<void> {
  await page.evaluate(() => Promise.all(document.getAnimations()
    .filter((a) => a.playState === 'running' && a.effect?.getComputedTiming().endTime !== Infinity)
    .map((a) => a.finished.catch(() => undefined))));
}

/** Stops every running animation `ms` into its timeline, runs `look` (a screenshot), then lets them play on. */
export async function atAnimationTime(page: Page, ms: number, look: () => Promise<unknown>): Promise<void> {
  await page.evaluate((at) => {
    for (const a of document.getAnimations()) {
      if (a.playState !== 'running') continue;
      a.pause();
      a.currentTime = at;
    }
  }, ms);
  try {
    await look();
  } finally {
    await page.evaluate(() => {
      for (const a of document.getAnimations()) if (a.playState === 'paused') a.play();
    });
  }
}
