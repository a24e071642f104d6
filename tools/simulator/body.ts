/**
 * Success bodies: `{created, data: [...]}`, plus the GPT Image fields (size, quality, background,
 * output_format, usage). The body is assembled from pieces so the cached base64 text is written as
 * is: JSON.stringify of megabytes of base64 would cost more than the rest of the request.
 */
import type { Answer } from './errors';
import type { RenderedImage } from './images';
import type { UrlStore } from './urls';
import type { RenderPlan } from './validate';

export function successAnswer(plan: RenderPlan, images: RenderedImage[], urls: UrlStore, baseUrl: string): Answer {
  const chunks: Buffer[] = [Buffer.from(`{"created":${Math.floor(Date.now() / 1000)},"data":[`)];
  images.forEach((image, index) => {
    const separator = index === 0 ? '' : ',';
    if (plan.responseFormat === 'url') {
      chunks.push(Buffer.from(`${separator}{"url":${JSON.stringify(baseUrl + urls.add(image))}}`));
    } else {
      chunks.push(Buffer.from(`${separator}{"b64_json":"`), image.b64, Buffer.from('"}'));
    }
  });
  chunks.push(Buffer.from(`]${plan.gptImage ? gptImageFields(plan) : ''}}`));
  return { status: 200, headers: { 'content-type': 'application/json' }, chunks };
}

/** Token counts are made up but stable: they grow with the prompt, the inputs and the output area. */
function gptImageFields(plan: RenderPlan): string {
  const textTokens = Math.ceil(plan.prompt.length / 4);
  const imageTokens = 323 * plan.imageCount;
  const outputTokens = Math.ceil((plan.width * plan.height) / 1000) * plan.n;
  const fields = {
    background: plan.background,
    output_format: plan.format,
    quality: plan.quality,
    size: `${plan.width}x${plan.height}`,
    usage: {
      input_tokens: textTokens + imageTokens,
      input_tokens_details: { text_tokens: textTokens, image_tokens: imageTokens },
      output_tokens: outputTokens,
      total_tokens: textTokens + imageTokens + outputTokens,
    },
  };
  return `,${JSON.stringify(fields).slice(1, -1)}`;
}
