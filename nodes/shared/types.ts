/**
 * The vocabulary of the node, shared by the runtime, the editor (the build injects
 * `EDITOR_CHOICES` into the editor's HTML) and the tests. Limits follow
 * docs/openai-images-api.md in the shared folder.
 */

export const METHODS = ['edit', 'variations'] as const;
export type Method = (typeof METHODS)[number];

export const RESPONSE_FORMATS = ['url', 'b64_json'] as const;
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

export const OUTPUT_MODES = ['split', 'single'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

/** Sizes the legacy variations endpoint accepts. */
export const VARIATION_SIZES = ['256x256', '512x512', '1024x1024'] as const;
export type VariationSize = (typeof VARIATION_SIZES)[number];

/** Named sizes of the edits endpoint; any `WxH` with both sides divisible by 16 is accepted too. */
export const EDIT_SIZES = ['auto', '1024x1024', '1536x1024', '1024x1536'] as const;

/** GPT Image models current in November 2026; the form offers them but accepts any id. */
export const SUGGESTED_EDIT_MODELS = [
  'gpt-image-2',
  'gpt-image-2.5-sunburst',
  'gpt-image-2.5-flare',
  'gpt-image-2.6-sunburst',
  'gpt-image-2.6-flare',
] as const;

export const DEFAULTS = {
  method: 'edit' as Method,
  editModel: 'gpt-image-2',
  n: 1,
  responseFormat: 'url' as ResponseFormat,
  output: 'split' as OutputMode,
  editSize: 'auto',
  prompt:
    'Create a variation of this image. Keep its style, subject and composition, and vary the details.',
};

/** The flow properties of a new create-image-variation node, as the editor saves them. */
export const NEW_NODE_FORM = {
  method: 'edit',
  model: '',
  prompt: '',
  imagePath: '',
  baseFolder: '',
  restrictToBaseFolder: false,
  count: '1',
  size: '',
  responseFormat: 'url',
  user: '',
  output: 'split',
};

export const LIMITS = {
  minN: 1,
  maxN: 10,
  editSizeStep: 16,
  maxEditBytes: 50 * 1024 * 1024,
  maxVariationBytes: 4 * 1024 * 1024,
  maxPromptChars: 32000,
};

export const CONFIG_DEFAULTS = {
  baseURL: 'https://api.openai.com/v1',
  timeoutSeconds: 300,
  maxRetries: 2,
  maxConcurrent: 2,
  queueLimit: 100,
};

/** Everything the editor needs to offer choices and validate fields like the runtime does. */
export const EDITOR_CHOICES = {
  methods: METHODS,
  responseFormats: RESPONSE_FORMATS,
  outputModes: OUTPUT_MODES,
  variationSizes: VARIATION_SIZES,
  editSizes: EDIT_SIZES,
  models: SUGGESTED_EDIT_MODELS,
  defaults: DEFAULTS,
  limits: LIMITS,
  config: CONFIG_DEFAULTS,
};
