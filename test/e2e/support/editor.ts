/**
 * Driving Node-RED's editor with playwright-core and Debian's Chromium, the way a user does it:
 * palette, workspace, edit trays, deploy, sidebar. Waits are for things the editor shows or
 * requests it makes, never fixed sleeps.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import sharp from 'sharp';
import { REPO_ROOT } from '../../../tools/demo/gallery-flow';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const VIEWPORT = { width: 1280, height: 800 };
// The README's screenshots change only on purpose (UPDATE_SCREENSHOTS=1); other runs keep
// theirs in a temporary folder so a test run leaves the work tree clean.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(REPO_ROOT, 'docs', 'images')
  : join(tmpdir(), 'variation-e2e-screenshots');
const MAX_SCREENSHOT_BYTES = 250 * 1024;

/** Debian's Chromium, headless, with a fresh temporary profile (Playwright makes one per launch). */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
    timeout: 60_000,
  });
}

/** Loads the editor and waits until the palette holds our node and the flows are shown. */
export async function openEditor(page: Page, url: string): Promise<void> {
  const flows = page.waitForResponse((response) => isFlowsRequest(response.url(), url) && response.request().method() === 'GET', {
    timeout: 90_000,
  });
  await page.goto(`${url}/`, { timeout: 90_000 });
  await flows;
  await paletteNode(page, 'create-image-variation').waitFor({ state: 'attached', timeout: 90_000 });
  await page.locator('#red-ui-header-button-deploy').waitFor({ timeout: 90_000 });
  await clearNotifications(page);
}

function isFlowsRequest(requestUrl: string, base: string): boolean {
  return new URL(requestUrl).pathname === new URL(`${base}/flows`).pathname;
}

export function paletteNode(page: Page, type: string): Locator {
  return page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
}

/** A node on the workspace, by id (Node-RED gives each node's SVG group the node's id). */
export function canvasNode(page: Page, id: string): Locator {
  return page.locator(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`);
}

/**
 * Closes the editor's notifications (deployed, imported, injected...) by clicking them, as a user
 * would before taking a picture. A button that dismisses is used where a notification has one.
 */
export async function clearNotifications(page: Page): Promise<void> {
  const notifications = page.locator('.red-ui-notification');
  for (let count = await notifications.count(); count > 0; count = await notifications.count()) {
    const first = notifications.first();
    const dismiss = first.locator('button', { hasText: /^(close|dismiss|no|ok)\b/i });
    // It may close by itself (after 5 s) while being clicked: either way it goes.
    await (await dismiss.count() ? dismiss.first() : first).click({ timeout: 5_000 }).catch(() => undefined);
    await page.waitForFunction((before) => document.querySelectorAll('.red-ui-notification').length < before, count, {
      timeout: 10_000,
    });
  }
}

/** Drags a node from the palette and lets go of it at a point of the page. */
export async function dragFromPalette(page: Page, type: string, to: { x: number; y: number }): Promise<void> {
  const start = await centre(paletteNode(page, type));
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 10, start.y + 5, { steps: 2 });
  await page.mouse.move(to.x, to.y, { steps: 15 });
  await page.mouse.up();
}

/** Draws a wire from an output port to an input port. */
export async function dragWire(page: Page, from: Locator, to: Locator): Promise<void> {
  const start = await uncovered(page, from);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 10, start.y + 5, { steps: 2 });
  const end = await uncovered(page, to);
  await page.mouse.move(end.x, end.y, { steps: 15 });
  await page.mouse.up();
}

/**
 * Clicks (or double-clicks) something on the workspace with the mouse where it is on screen.
 * Playwright's own click scrolls SVG elements "into view" inside the workspace even when they
 * are visible, which would move the flow around between the steps and the screenshots.
 */
export async function clickOnWorkspace(page: Page, target: Locator, clickCount = 1): Promise<void> {
  const point = await uncovered(page, target);
  await page.mouse.click(point.x, point.y, { clickCount });
}

/**
 * The centre of an element, once nothing (a notification, a tooltip) covers it there: what a
 * user would wait for before pointing at it.
 */
async function uncovered(page: Page, target: Locator): Promise<{ x: number; y: number }> {
  const point = await centre(target);
  const element = await target.elementHandle();
  await page.waitForFunction(
    ({ element, x, y }) => {
      const top = document.elementFromPoint(x, y);
      return top !== null && element !== null && (top === element || element.contains(top));
    },
    { element, x: point.x, y: point.y },
  );
  return point;
}

export async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  await locator.waitFor();
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${locator} has no box`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/**
 * Clicks Deploy and waits for the POST /flows answer and the "Successfully deployed"
 * notification that this click caused (older notifications are marked first).
 */
export async function deploy(page: Page, url: string): Promise<void> {
  await page.locator('.red-ui-notification').evaluateAll((elements) => {
    for (const element of elements) element.setAttribute('data-e2e-seen', '');
  });
  const posted = page.waitForResponse((response) => isFlowsRequest(response.url(), url) && response.request().method() === 'POST');
  await page.locator('#red-ui-header-button-deploy').click();
  const response = await posted;
  if (response.status() !== 200) throw new Error(`POST /flows answered ${response.status()}: ${await response.text()}`);
  await page.locator('.red-ui-notification:not([data-e2e-seen])', { hasText: 'Successfully deployed' }).waitFor();
}

/** Writes <screenshots>/<name> as a palette PNG and checks it stays small. */
export async function saveScreenshot(shot: Buffer, name: string): Promise<string> {
  const png = await sharp(shot).png({ palette: true, quality: 90, compressionLevel: 9, effort: 10 }).toBuffer();
  if (png.length > MAX_SCREENSHOT_BYTES) {
    throw new Error(`${name} is ${Math.round(png.length / 1024)} KB, over ${MAX_SCREENSHOT_BYTES / 1024} KB`);
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, name);
  await writeFile(file, png);
  return file;
}

/** Opens a sidebar tab unless its content is already on screen (its button toggles it). */
export async function showSidebarTab(page: Page, id: string, content: Locator): Promise<void> {
  if (!(await content.isVisible())) await page.locator(`button[data-tab-id="${id}"]`).click();
  await content.waitFor();
}

/**
 * Waits until an element has stopped moving: no running animation or transition in it, and the
 * same box on two frames in a row (trays slide in and out, popovers fade in).
 */
export async function settled(page: Page, target: Locator): Promise<void> {
  const element = await target.elementHandle();
  await page.waitForFunction(
    (el) => {
      if (!el) return false;
      const box = JSON.stringify(el.getBoundingClientRect());
      const still = box === (el as Element & { e2eLastBox?: string }).e2eLastBox;
      (el as Element & { e2eLastBox?: string }).e2eLastBox = box;
      return still && el.getAnimations({ subtree: true }).length === 0;
    },
    element,
    { polling: 'raf' },
  );
}
