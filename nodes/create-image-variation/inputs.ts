/** The node's form as saved in the flow (SPEC 4). The editor stores numbers as strings. */
export interface VariationNodeConfig {
  name?: string;
  api?: string;
  method?: string;
  model?: string;
  prompt?: string;
  imagePath?: string;
  baseFolder?: string;
  restrictToBaseFolder?: boolean | string;
  count?: string | number;
  size?: string;
  responseFormat?: string;
  user?: string;
  output?: string;
}

/** Where the image should come from, before anything is read or decoded. */
export type ImageInput =
  | { kind: 'value'; value: unknown; origin: 'msg.image' | 'msg.payload' }
  | { kind: 'path'; value: unknown; origin: 'msg.imagePath' | 'imagePath' }
  | { kind: 'none' };

/** Each input as given, message over form; still unvalidated. `undefined` means "use the default". */
export interface RawInputs {
  method: unknown;
  model: unknown;
  prompt: unknown;
  n: unknown;
  size: unknown;
  responseFormat: unknown;
  user: unknown;
  image: ImageInput;
}

type MessageLike = Record<string, unknown>;

function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** An empty form field means "default"; an empty message property is a value to validate. */
function pick(msg: MessageLike, property: string, formValue: unknown): unknown {
  if (isGiven(msg[property])) return msg[property];
  return formValue === '' ? undefined : formValue;
}

function pickImage(msg: MessageLike, formPath: string | undefined): ImageInput {
  if (isGiven(msg.image)) return { kind: 'value', value: msg.image, origin: 'msg.image' };
  if (isGiven(msg.imagePath)) return { kind: 'path', value: msg.imagePath, origin: 'msg.imagePath' };
  if (Buffer.isBuffer(msg.payload)) return { kind: 'value', value: msg.payload, origin: 'msg.payload' };
  if (formPath) return { kind: 'path', value: formPath, origin: 'imagePath' };
  return { kind: 'none' };
}

/** Precedence: msg.image > msg.imagePath > msg.payload (Buffer) > form path; any msg property beats the form. */
export function resolveInputs(msg: MessageLike, form: VariationNodeConfig): RawInputs {
  return {
    method: pick(msg, 'method', form.method),
    model: pick(msg, 'model', form.model),
    prompt: pick(msg, 'prompt', form.prompt),
    n: pick(msg, 'n', form.count),
    size: pick(msg, 'size', form.size),
    responseFormat: pick(msg, 'responseFormat', form.responseFormat),
    user: pick(msg, 'user', form.user),
    image: pickImage(msg, form.imagePath?.trim() ? form.imagePath : undefined),
  };
}
