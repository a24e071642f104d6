/**
 * The demo gallery flow, built from readable pieces: the function bodies and the page template
 * live in tools/demo/gallery/ as plain files. `writeGalleryExample()` serializes it to
 * examples/06 - Demo gallery.json, which is what `npm start` deploys and what palette users
 * import; a test keeps the two in step.
 *
 *   tsx tools/demo/gallery-flow.ts      (rewrites the example file)
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NEW_NODE_FORM } from '../../nodes/shared/types';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export const REPO_ROOT = join(__dirname, '..', '..');
export const GALLERY_EXAMPLE = join(REPO_ROOT, 'examples', '06 - Demo gallery.json');
const PIECES = join(__dirname, 'gallery');
const SAMPLES = 'demo-samples';

/** Stable 16-hex ids, unique to this example file. */
export function nodeId(name: string): string {
  return createHash('sha1').update(`06-demo-gallery:${name}`).digest('hex').slice(0, 16);
}

export const GALLERY_IDS = {
  tab: nodeId('tab'),
  api: nodeId('api'),
  variation: nodeId('variation'),
  injectSquare: nodeId('inject-square'),
  injectMissing: nodeId('inject-missing'),
};

const piece = (file: string) => readFileSync(join(PIECES, file), 'utf8');

type NodeSpec = Record<string, unknown> & { type: string; name: string };

function place(node: NodeSpec, x: number, y: number, id = nodeId(node.name)): FlowNode {
  return { id, z: GALLERY_IDS.tab, ...node, x, y };
}

function fn(name: string, file: string, x: number, y: number, wires: string[][]): FlowNode {
  return place(
    {
      type: 'function',
      name,
      func: piece(file),
      outputs: wires.length,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      wires,
    },
    x,
    y,
  );
}

interface InjectSpec {
  key: string;
  name: string;
  props: Record<string, string | number>;
  once?: boolean;
}

function inject(spec: InjectSpec, y: number, target: string): FlowNode {
  const props = Object.entries(spec.props).map(([p, v]) => ({ p, v: String(v), vt: typeof v === 'number' ? 'num' : 'str' }));
  return place(
    {
      type: 'inject',
      name: spec.name,
      props: [{ p: 'topic', vt: 'str' }, ...props],
      repeat: '',
      crontab: '',
      once: spec.once ?? false,
      onceDelay: 1,
      topic: spec.name,
      wires: [[target]],
    },
    230,
    y,
    nodeId(spec.key),
  );
}

function httpIn(name: string, method: 'get' | 'post', url: string, x: number, y: number, wires: string[][], upload = false): FlowNode {
  return place({ type: 'http in', name, url, method, upload, swaggerDoc: '', wires }, x, y, nodeId(`${method} ${url}`));
}

function httpResponse(name: string, x: number, y: number): FlowNode {
  return place({ type: 'http response', name, statusCode: '', headers: {}, wires: [] }, x, y);
}

const COMMENT = `This tab is what \`npm start\` runs. Requests on the left go to **create-image-variation**;
both of its outputs (1: success, 2: failed) feed the gallery, which keeps the last 12 requests
in flow context and serves them at [/variations](/variations), newest first, with the source
image beside its variations and the settings used.

**Sample images.** The injects read \`${SAMPLES}/square.png\`, \`photo.jpg\` and \`wide.webp\`.
Relative paths resolve against the node's *Base folder*, by default the Node-RED user
directory. \`npm start\` draws these files into its user directory
(\`tools/samples/make-samples.ts\`); elsewhere, put images of your own there or change the paths.
The gallery shows path sources with a File In node, which reads relative paths from
\`fileWorkingDirectory\` in settings.js (the demo sets it to the user directory), else from
Node-RED's working directory.

**Legacy variations.** OpenAI retired DALL-E 2 and \`/images/variations\` on 2026-05-12, so the
node's default method is \`edit\` (a GPT Image model with a variation prompt). The legacy inject
works against gateways that still serve it (the demo's simulator plays one); api.openai.com
answers it with MODEL_RETIRED.

**Upload.** The form on the gallery page posts to /variations/upload.`;

const INJECTS: InjectSpec[] = [
  { key: 'inject-square', name: 'Square PNG (edit)', props: { imagePath: `${SAMPLES}/square.png` }, once: true },
  {
    key: 'inject-photo',
    name: 'Photo-like JPEG (edit, 2 images, b64_json)',
    props: { imagePath: `${SAMPLES}/photo.jpg`, n: 2, responseFormat: 'b64_json' },
  },
  { key: 'inject-wide', name: 'Wide WebP (edit, 1280x720)', props: { imagePath: `${SAMPLES}/wide.webp`, size: '1280x720' } },
  {
    key: 'inject-legacy',
    name: 'Legacy variations (dall-e-2, gateways only)',
    props: { imagePath: `${SAMPLES}/square.png`, method: 'variations', model: 'dall-e-2', size: '512x512', n: 2 },
  },
  { key: 'inject-missing', name: 'Missing file (fails)', props: { imagePath: `${SAMPLES}/missing.png` } },
];

export function galleryFlow(): FlowNode[] {
  const id = {
    stamp: nodeId('Record request'),
    store: nodeId('Store result'),
    readUpload: nodeId('Read upload'),
    uploadResponse: nodeId('Back to gallery'),
    pageModel: nodeId('Page model'),
    template: nodeId('Gallery page'),
    pageResponse: nodeId('Send page'),
    json: nodeId('Gallery as JSON'),
    jsonResponse: nodeId('Send JSON'),
    findImage: nodeId('Find image'),
    findSource: nodeId('Find source'),
    readSource: nodeId('Read source file'),
    imageType: nodeId('Set image type'),
    imageResponse: nodeId('Send image'),
    catchRead: nodeId('Source not readable'),
    notFound: nodeId('404'),
  };
  const requestsY = 120;
  const pagesY = 500;
  return [
    {
      id: GALLERY_IDS.tab,
      type: 'tab',
      label: 'Image variation demo',
      disabled: false,
      info: 'The demo of create-image-variation that `npm start` runs; its gallery is at /variations.',
    },
    place({ type: 'comment', name: 'Image variation demo: read me (double-click)', info: COMMENT }, 230, 60),
    ...INJECTS.map((spec, index) => inject(spec, requestsY + index * 40, id.stamp)),
    httpIn('', 'post', '/variations/upload', 190, requestsY + INJECTS.length * 40 + 40, [[id.readUpload]], true),
    fn('Read upload', 'read-upload.js', 410, requestsY + INJECTS.length * 40 + 40, [[id.uploadResponse], [id.stamp]]),
    httpResponse('Back to gallery', 620, requestsY + INJECTS.length * 40 + 80),
    fn('Record request', 'stamp-request.js', 620, 200, [[GALLERY_IDS.variation]]),
    place(
      {
        type: 'create-image-variation',
        name: 'Create variation',
        api: GALLERY_IDS.api,
        ...NEW_NODE_FORM,
        output: 'single',
        wires: [[id.store], [id.store]],
      },
      820,
      200,
      GALLERY_IDS.variation,
    ),
    fn('Store result', 'store-result.js', 1020, 200, []),
    place({ type: 'comment', name: 'Gallery pages: /variations, /variations.json, images', info: '' }, 250, pagesY - 40),
    httpIn('', 'get', '/variations', 150, pagesY, [[id.pageModel]]),
    fn('Page model', 'page-model.js', 360, pagesY, [[id.template]]),
    place(
      {
        type: 'template',
        name: 'Gallery page',
        field: 'payload',
        fieldType: 'msg',
        format: 'html',
        syntax: 'mustache',
        template: piece('page.html'),
        output: 'str',
        wires: [[id.pageResponse]],
      },
      550,
      pagesY,
    ),
    httpResponse('Send page', 740, pagesY),
    httpIn('', 'get', '/variations.json', 160, pagesY + 60, [[id.json]]),
    fn('Gallery as JSON', 'gallery-json.js', 380, pagesY + 60, [[id.jsonResponse]]),
    httpResponse('Send JSON', 580, pagesY + 60),
    httpIn('', 'get', '/variations/image/:entry/:index', 200, pagesY + 120, [[id.findImage]]),
    fn('Find image', 'find-image.js', 430, pagesY + 120, [[id.imageType]]),
    httpIn('', 'get', '/variations/source/:entry', 190, pagesY + 180, [[id.findSource]]),
    fn('Find source', 'find-source.js', 430, pagesY + 180, [[id.imageType], [id.readSource]]),
    place(
      {
        type: 'file in',
        name: 'Read source file',
        filename: 'filename',
        filenameType: 'msg',
        format: '',
        chunk: false,
        sendError: false,
        encoding: 'none',
        allProps: false,
        wires: [[id.imageType]],
      },
      640,
      pagesY + 200,
    ),
    fn('Set image type', 'image-type.js', 850, pagesY + 150, [[id.imageResponse]]),
    httpResponse('Send image', 1040, pagesY + 150),
    place({ type: 'catch', name: 'Source not readable', scope: [id.readSource], uncaught: false, wires: [[id.notFound]] }, 650, pagesY + 260),
    fn('404', 'not-found.js', 850, pagesY + 260, [[id.imageResponse]]),
    {
      id: GALLERY_IDS.api,
      type: 'openai-image-api',
      name: '',
      baseURL: 'https://api.openai.com/v1',
      organization: '',
      project: '',
      timeout: '300',
      maxRetries: '2',
      maxConcurrent: '2',
      queueLimit: '100',
    },
  ];
}

export function galleryExampleText(): string {
  return `${JSON.stringify(galleryFlow(), null, 4)}\n`;
}

export function writeGalleryExample(): void {
  writeFileSync(GALLERY_EXAMPLE, galleryExampleText());
}

if (require.main === module) {
  writeGalleryExample();
  console.log(`wrote ${GALLERY_EXAMPLE}`);
}
