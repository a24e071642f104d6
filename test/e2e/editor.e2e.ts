/**
 * Issue 5: the editor in a real browser. A real Node-RED (the package installed in a temporary
 * user directory), the simulator in this process and Debian's Chromium driven by playwright-core.
 * The tests are one user's session, in order: each builds on what the previous one left in the
 * editor (the node added in test 2 is the one configured, deployed and triggered later).
 * Screenshots for the README are taken on the way: into docs/images/ with UPDATE_SCREENSHOTS=1,
 * otherwise into a temporary folder.
 *
 *   npm run test:e2e
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import should from 'should';
import { DEFAULTS } from '../../nodes/shared/types';
import { DEFAULT_API_KEY, makeTestPng, startSimulator, type Simulator } from '../../tools/simulator';
import {
  VIEWPORT,
  canvasNode,
  clearNotifications,
  clickOnWorkspace,
  centre,
  deploy,
  dragFromPalette,
  dragWire,
  launchChromium,
  openEditor,
  paletteNode,
  saveScreenshot,
  settled,
  showSidebarTab,
} from './support/editor';
import { startEditorServer, type EditorServer } from './support/node-red';

const FAILURES = join(tmpdir(), 'variation-e2e-failures');

/** The nodes imported around ours in test 8 (fixed ids, so the test can find them on the workspace). */
const IDS = {
  injectImage: 'e2e-inject-image',
  injectMissing: 'e2e-inject-missing',
  debugSuccess: 'e2e-debug-success',
  debugFailed: 'e2e-debug-failed',
};

/**
 * Two injects (one leaves the image to the node's Image path, one sets msg.imagePath to a file
 * that does not exist) and a debug node per output; placed relative to the first one.
 */
function importedNodes(missingPath: string): Array<Record<string, unknown>> {
  const inject = (id: string, name: string, props: Array<Record<string, string>>, y: number) => ({
    id,
    type: 'inject',
    name,
    props: [{ p: 'payload' }, ...props],
    repeat: '',
    crontab: '',
    once: false,
    onceDelay: 0.1,
    topic: '',
    payload: '',
    payloadType: 'date',
    x: 130,
    y,
    wires: [[]],
  });
  const debug = (id: string, name: string, complete: string, y: number) => ({
    id,
    type: 'debug',
    name,
    active: true,
    tosidebar: true,
    console: false,
    tostatus: false,
    complete,
    targetType: 'msg',
    statusVal: '',
    statusType: 'auto',
    x: 610,
    y,
    wires: [],
  });
  return [
    inject(IDS.injectImage, 'square.png', [], 100),
    inject(IDS.injectMissing, 'missing file', [{ p: 'imagePath', v: missingPath, vt: 'str' }], 220),
    debug(IDS.debugSuccess, 'success', 'payload', 100),
    debug(IDS.debugFailed, 'failed', 'error', 220),
  ];
}

describe('issue 5: the editor in a real browser', function () {
  this.timeout(60_000);

  let sim: Simulator;
  let server: EditorServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Relative paths: the node resolves them against its Base folder, by default Node-RED's user directory. */
  const imagePath = 'square.png';
  const missingPath = 'missing.png';
  /** Ids the editor gave to the nodes the test adds. */
  let variationId: string;
  let configId: string;

  const tray = () => page.locator('.red-ui-tray').last();
  const field = (prop: string) => page.locator(`#node-input-${prop}`);
  const configField = (prop: string) => page.locator(`#node-config-input-${prop}`);
  const variationNode = () => canvasNode(page, variationId);

  async function openVariationDialog(): Promise<void> {
    await clickOnWorkspace(page, variationNode().locator('.red-ui-flow-node'), 2);
    await field('method').waitFor();
    await trayInPlace();
  }

  async function openConfigDialog(button: 'node-input-btn-api-add' | 'node-input-btn-api-edit'): Promise<void> {
    await page.locator(`#${button}`).click();
    await configField('baseURL').waitFor();
    await trayInPlace();
  }

  /**
   * Waits for the top tray to have slid fully into place. Trays slide in and out; a click on a
   * moving one can press the mouse on a button and let go beside it, and a picture would be blurred.
   */
  async function trayInPlace(): Promise<void> {
    await page.waitForFunction(() => {
      const top = [...document.querySelectorAll('.red-ui-tray')].pop();
      const stack = top?.parentElement;
      return !!top && !!stack && Math.abs(top.getBoundingClientRect().right - stack.getBoundingClientRect().right) < 1;
    });
    await settled(page, tray());
  }

  /** Clicks a tray button and waits for that tray to be gone and the tray under it, if any, back in place. */
  async function closeTray(button: 'node-dialog-ok' | 'node-dialog-cancel' | 'node-config-dialog-ok' | 'node-config-dialog-cancel') {
    await trayInPlace();
    await page.locator(`#${button}`).click();
    await page.locator(`#${button}`).waitFor({ state: 'detached' });
    if (await page.locator('.red-ui-tray').count()) await trayInPlace();
  }

  /** Types a value, leaves the field, and checks whether the editor marks it invalid. */
  async function expectValid(input: Locator, value: string, valid: boolean): Promise<void> {
    await input.fill(value);
    await input.press('Tab');
    const classes = (await input.getAttribute('class')) ?? '';
    should(classes.split(/\s+/).includes('input-error')).equal(!valid, `${value} should be ${valid ? 'valid' : 'invalid'}`);
  }

  before(async function () {
    this.timeout(180_000);
    sim = await startSimulator();
    server = await startEditorServer();
    await writeFile(join(server.userDir, imagePath), await makeTestPng(256, 256));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', deviceScaleFactor: 1 });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await openEditor(page, server.url);
    // The tips under the info panel change every few seconds; hidden, they stay out of the pictures.
    await page.locator('.red-ui-help-tips-buttons a:has(.fa-times)').click();
    await page.locator('.red-ui-help-tips').waitFor({ state: 'hidden' });
    await clearNotifications(page);
  });

  // A failing step leaves a picture of the editor behind, for the CI log to point at.
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !page) return;
    const file = join(FAILURES, `${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.png`);
    await mkdir(FAILURES, { recursive: true });
    await page.screenshot({ path: file }).then(
      () => console.log(`    screenshot of the failure: ${file}`),
      () => undefined,
    );
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await sim?.close();
  });

  it('1. finds the node in the palette when searching "variation"', async function () {
    await page.locator('#red-ui-palette-search input').pressSequentially('variation');
    await paletteNode(page, 'inject').waitFor({ state: 'hidden' });
    const ours = paletteNode(page, 'create-image-variation');
    await ours.waitFor();
    should(await ours.innerText()).match(/image\s+variation/);
    // Hovering shows the first paragraph of the help as the tooltip.
    await ours.hover();
    const tooltip = page.locator('.red-ui-popover', { hasText: 'Creates variations of an image' });
    await tooltip.waitFor();
    await settled(page, tooltip);
    await saveScreenshot(await page.screenshot({ clip: { x: 0, y: 340, width: 640, height: 260 } }), 'palette.png');
  });

  it('2. adds the node by dragging it onto the workspace and opens its edit dialog with a double-click', async function () {
    const workspace = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    const before = await page.locator('#red-ui-workspace-chart g.red-ui-flow-node-group').count();
    const dropAt = { x: workspace.x + 380, y: workspace.y + 200 };
    await dragFromPalette(page, 'create-image-variation', dropAt);
    const added = page.locator('#red-ui-workspace-chart g.red-ui-flow-node-group', { hasText: 'create image variation' });
    await added.waitFor();
    should(await page.locator('#red-ui-workspace-chart g.red-ui-flow-node-group').count()).equal(before + 1);
    const dropped = await centre(added.locator('.red-ui-flow-node'));
    should(Math.abs(dropped.x - dropAt.x)).be.below(80, 'dropped where the mouse let go');
    should(Math.abs(dropped.y - dropAt.y)).be.below(30, 'dropped where the mouse let go');
    variationId = (await added.getAttribute('id'))!;
    should(variationId).be.a.String().and.not.be.empty();
    await openVariationDialog();
    await tray().locator('.red-ui-tray-titlebar', { hasText: 'image variation' }).waitFor();
  });

  it('3. shows every field with its default', async function () {
    should(await field('api').inputValue()).equal('_ADD_');
    should(await field('method').inputValue()).equal('edit');
    should(await field('model').inputValue()).equal('');
    should(await field('model').getAttribute('placeholder')).equal('gpt-image-2');
    should(await field('prompt').inputValue()).equal('');
    should(await field('prompt').getAttribute('placeholder')).equal(DEFAULTS.prompt);
    should(await field('imagePath').inputValue()).equal('');
    should(await field('baseFolder').inputValue()).equal('');
    should(await field('restrictToBaseFolder').isChecked()).be.false();
    should(await field('count').inputValue()).equal('1');
    should(await field('size').inputValue()).equal('');
    should(await field('size').getAttribute('placeholder')).equal('auto (default)');
    should(await field('responseFormat').inputValue()).equal('url');
    should(await field('user').inputValue()).equal('');
    should(await field('output').inputValue()).equal('split');
    should(await field('name').inputValue()).equal('');
  });

  it('4. shows Prompt for the edit method and hides it for variations', async function () {
    await field('prompt').waitFor({ state: 'visible' });
    await field('method').selectOption('variations');
    await field('prompt').waitFor({ state: 'hidden' });
    await page.locator('#node-input-method-variations-tip').waitFor({ state: 'visible' });
    await field('method').selectOption('edit');
    await field('prompt').waitFor({ state: 'visible' });
    await page.locator('#node-input-method-variations-tip').waitFor({ state: 'hidden' });
  });

  it('5. offers the Size choices of the selected method', async function () {
    const choices = () => page.locator('#node-input-size-choices option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    should(await choices()).eql(['auto', '1024x1024', '1536x1024', '1024x1536']);
    should(await field('size').getAttribute('placeholder')).equal('auto (default)');
    await field('method').selectOption('variations');
    should(await choices()).eql(['256x256', '512x512', '1024x1024']);
    should(await field('size').getAttribute('placeholder')).equal('same as input (default)');
    should(await field('model').getAttribute('placeholder')).equal('none sent: the server decides');
    await field('method').selectOption('edit');
    should(await choices()).eql(['auto', '1024x1024', '1536x1024', '1024x1536']);
  });

  it('6. marks an invalid Count or Size as invalid and a valid one as valid', async function () {
    for (const count of ['0', '11', '2.5', 'two']) await expectValid(field('count'), count, false);
    for (const count of ['1', '10', '']) await expectValid(field('count'), count, true);
    for (const size of ['1000x1000', '256x256x2', 'big']) await expectValid(field('size'), size, false);
    for (const size of ['1536x1024', '1040x1040', 'auto', '']) await expectValid(field('size'), size, true);
    await field('method').selectOption('variations');
    for (const size of ['1536x1024', 'auto']) await expectValid(field('size'), size, false);
    for (const size of ['256x256', '']) await expectValid(field('size'), size, true);
    await field('method').selectOption('edit');
    await field('count').fill('1');
    await field('count').press('Tab');
  });

  it('7. creates the config node, and a reopened config node shows a key is stored but never the key', async function () {
    await openConfigDialog('node-input-btn-api-add');
    should(await configField('apiKey').getAttribute('type')).equal('password');
    should(await page.locator('#node-config-input-apiKey-hint').innerText()).match(/No key stored/);
    await configField('name').fill('Simulator');
    await configField('baseURL').fill(sim.baseURL);
    await configField('apiKey').fill(DEFAULT_API_KEY);
    await page.locator('#node-config-input-apiKey-hint', { hasText: 'will be stored when you save' }).waitFor();
    await trayInPlace();
    await saveScreenshot(await tray().screenshot(), 'config-dialog.png');
    await closeTray('node-config-dialog-ok');

    configId = await field('api').inputValue();
    should(configId).not.equal('_ADD_');
    should(await field('api').locator('option:checked').innerText()).equal('Simulator');
    await field('imagePath').fill(imagePath);
    await trayInPlace();
    await saveScreenshot(await tray().screenshot(), 'edit-dialog.png');
    await closeTray('node-dialog-ok');
    await deploy(page, server.url);

    await openVariationDialog();
    const credentials = page.waitForResponse((response) => response.url().includes(`/credentials/openai-image-api/${configId}`));
    await openConfigDialog('node-input-btn-api-edit');
    should(await (await credentials).json()).eql({ has_apiKey: true });
    await page.locator('#node-config-input-apiKey-hint', { hasText: 'A key is stored' }).waitFor();
    should(await configField('apiKey').inputValue()).equal('__PWRD__');
    should(await configField('baseURL').inputValue()).equal(sim.baseURL);
    const values = await page.locator('input, textarea').evaluateAll((inputs) =>
      inputs.map((input) => (input as HTMLInputElement).value),
    );
    should(values.join('\n')).not.containEql(DEFAULT_API_KEY);
    should(await page.content()).not.containEql(DEFAULT_API_KEY);
    await closeTray('node-config-dialog-cancel');
    await closeTray('node-dialog-cancel');

    const flows = await page.request.get(`${server.url}/flows`);
    const flowsText = await flows.text();
    should(flowsText).containEql(configId);
    should(flowsText).not.containEql(DEFAULT_API_KEY);

    await page.locator('#red-ui-header-button-sidemenu').click();
    await page.locator('#menu-item-export').click();
    await page.locator('#red-ui-clipboard-dialog-export-rng-full').click();
    await page.locator('#red-ui-clipboard-dialog-export-tab-clipboard-tabs a', { hasText: 'JSON' }).click();
    const exportText = page.locator('#red-ui-clipboard-dialog-export-text');
    await exportText.waitFor();
    const exported = await exportText.inputValue();
    const config = (JSON.parse(exported) as Array<Record<string, unknown>>).find((node) => node.id === configId);
    should(config).have.properties({ type: 'openai-image-api', baseURL: sim.baseURL });
    should(config).not.have.property('credentials');
    should(exported).not.containEql(DEFAULT_API_KEY);
    await page.locator('#red-ui-clipboard-dialog-cancel').click();
    await exportText.waitFor({ state: 'hidden' });
  });

  it('8. deploys a flow wired around the node with the Deploy button', async function () {
    // Imported nodes appear under the last point the mouse had on the workspace, hang on the
    // mouse and are put down by a click: the first one at (130, 140), our node's left.
    const workspace = (await page.locator('#red-ui-workspace-chart').boundingBox())!;
    const putDownAt = { x: workspace.x + 130, y: workspace.y + 140 };
    await page.mouse.move(putDownAt.x, putDownAt.y, { steps: 5 });
    await page.locator('#red-ui-header-button-sidemenu').click();
    await page.locator('#menu-item-import').click();
    const importText = page.locator('#red-ui-clipboard-dialog-import-text');
    await importText.fill(JSON.stringify(importedNodes(missingPath)));
    // The dialog checks the JSON on keyup before it enables Import.
    await importText.press('End');
    await page.locator('#red-ui-clipboard-dialog-ok').click();
    await page.mouse.move(putDownAt.x, putDownAt.y, { steps: 5 });
    await page.mouse.click(putDownAt.x, putDownAt.y);
    for (const id of Object.values(IDS)) await canvasNode(page, id).waitFor();
    const putDown = await centre(canvasNode(page, IDS.injectImage).locator('.red-ui-flow-node'));
    should(Math.abs(putDown.x - putDownAt.x) + Math.abs(putDown.y - putDownAt.y)).be.below(30, 'put down under the mouse');

    const links = page.locator('#red-ui-workspace-chart g.red-ui-flow-link');
    const output = (id: string, port = 0) => canvasNode(page, id).locator('.red-ui-flow-port-output .red-ui-flow-port').nth(port);
    const input = (id: string) => canvasNode(page, id).locator('.red-ui-flow-port-input .red-ui-flow-port');
    await dragWire(page, output(IDS.injectImage), input(variationId));
    await dragWire(page, output(IDS.injectMissing), input(variationId));
    await dragWire(page, output(variationId, 0), input(IDS.debugSuccess));
    await dragWire(page, output(variationId, 1), input(IDS.debugFailed));
    await page.waitForFunction(() => document.querySelectorAll('#red-ui-workspace-chart g.red-ui-flow-link').length === 4);
    should(await links.count()).equal(4);

    await deploy(page, server.url);
    const deployed = (await (await page.request.get(`${server.url}/flows`)).json()) as Array<Record<string, unknown>>;
    const variation = deployed.find((node) => node.id === variationId);
    should(variation).have.properties({ type: 'create-image-variation', api: configId, imagePath });
    should(variation!.wires).eql([[IDS.debugSuccess], [IDS.debugFailed]]);
    should(deployed.find((node) => node.id === IDS.injectImage)!.wires).eql([[variationId]]);
    should(deployed.find((node) => node.id === IDS.injectMissing)!.wires).eql([[variationId]]);
  });

  it('9. an inject clicked in the editor gets a variation from the simulator, shown in the debug sidebar', async function () {
    await showSidebarTab(page, 'debug', page.locator('.red-ui-debug-content-list'));
    const injected = page.waitForResponse((response) => response.url().endsWith(`/inject/${IDS.injectImage}`));
    await clickOnWorkspace(page, canvasNode(page, IDS.injectImage).locator('.red-ui-flow-node-button'));
    should((await injected).status()).equal(200);
    const message = page.locator(`.red-ui-debug-msg-node-${IDS.debugSuccess}`);
    await message.waitFor();
    should(await message.innerText()).match(/msg\.payload : buffer\[\d+\]/);
    const status = variationNode().locator('.red-ui-flow-node-status-label');
    await status.filter({ hasText: 'images: 1' }).waitFor();
    should(await variationNode().locator('.red-ui-flow-node-status-dot-green').count()).equal(1);
    const calls = sim.requests.filter((request) => request.path.startsWith('/v1/images/'));
    should(calls).have.length(1);
    should(calls[0]).have.properties({ path: '/v1/images/edits', authorized: true, status: 200 });
    should(calls[0].files[0]).have.properties({ detectedType: 'png', width: 256, height: 256 });
    await clearNotifications(page);
    await saveScreenshot(await page.screenshot({ clip: { x: 216, y: 0, width: 1064, height: 500 } }), 'flow-deployed.png');
  });

  it('10. a missing image file sends a failed message with code INVALID_INPUT on output 2', async function () {
    const injected = page.waitForResponse((response) => response.url().endsWith(`/inject/${IDS.injectMissing}`));
    await clickOnWorkspace(page, canvasNode(page, IDS.injectMissing).locator('.red-ui-flow-node-button'));
    should((await injected).status()).equal(200);
    const message = page.locator(`.red-ui-debug-msg-node-${IDS.debugFailed}`);
    await message.waitFor();
    should(await message.innerText()).match(/msg\.error : Object\n\{ message: "ImagePath: no file at .*code: "INVALID_INPUT" \}/);
    // The preview cuts long strings; expanding the object shows the whole error message.
    await message.locator('.red-ui-debug-msg-expandable').first().click();
    const resolved = join(server.userDir, missingPath);
    await message.locator('.red-ui-debug-msg-type-string', { hasText: `"ImagePath: no file at ${resolved}"` }).waitFor();
    await variationNode().locator('.red-ui-flow-node-status-label', { hasText: 'invalid input' }).waitFor();
    should(await variationNode().locator('.red-ui-flow-node-status-ring-red').count()).equal(1);
    should(sim.requests.filter((request) => request.path.startsWith('/v1/images/'))).have.length(1);
  });

  it('11. the help sidebar shows the node\'s help', async function () {
    await clickOnWorkspace(page, variationNode().locator('.red-ui-flow-node'));
    const help = page.locator('.red-ui-help').filter({ has: page.locator('h3') }).last();
    await showSidebarTab(page, 'help', help);
    await help.locator('h3', { hasText: 'Inputs' }).waitFor();
    await help.locator('h3', { hasText: 'Outputs' }).waitFor();
    const text = await help.innerText();
    should(text).containEql('Creates variations of an image with the OpenAI image API');
    should(text).containEql('imagePath');
    should(text).containEql('INVALID_INPUT');
    // The picture gives the help the whole sidebar: the debug messages below it are closed.
    await page.locator('button[data-tab-id="debug"]').click();
    await page.locator('.red-ui-debug-content-list').waitFor({ state: 'hidden' });
    await clearNotifications(page);
    await saveScreenshot(await page.screenshot(), 'help.png');
  });

  it('12. shows the German labels in a browser set to German', async function () {
    const german = await browser.newContext({ viewport: VIEWPORT, locale: 'de-DE', deviceScaleFactor: 1 });
    try {
      const dePage = await german.newPage();
      dePage.setDefaultTimeout(30_000);
      await openEditor(dePage, server.url);
      await clickOnWorkspace(dePage, canvasNode(dePage, variationId).locator('.red-ui-flow-node'), 2);
      const label = (prop: string) => dePage.locator(`label[for="node-input-${prop}"]`);
      await label('method').filter({ hasText: 'Methode' }).waitFor();
      should(await label('count').innerText()).containEql('Anzahl');
      should(await label('size').innerText()).containEql('Größe');
      should(await label('imagePath').innerText()).containEql('Bildpfad');
      should(await label('restrictToBaseFolder').innerText()).equal('Nur Dateien im Basisordner lesen');
      should(await dePage.locator('#node-input-size').getAttribute('placeholder')).equal('auto (Standard)');
      should(await dePage.locator('#node-input-method option:checked').innerText()).equal('edit (GPT-Image-Modell und Prompt)');
    } finally {
      await german.close();
    }
  });
});
