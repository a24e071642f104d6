/**
 * Reads a multipart/form-data request with busboy. Files are kept as Buffers (the image is
 * needed whole to hash and transform it); caps stop a runaway upload from filling memory while
 * still letting validation say what was wrong.
 */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
  /** The file reached `maxFileBytes`; only that much was kept. */
  truncated: boolean;
}

export interface ParsedForm {
  fields: Record<string, string>;
  files: UploadedFile[];
  /** More files than `maxFiles` were sent; the extra ones were dropped. */
  tooManyFiles: boolean;
  /** Fields whose values exceeded the field size cap. */
  truncatedFields: string[];
}

export interface FormLimits {
  maxFileBytes: number;
  maxFiles: number;
  maxFieldBytes: number;
}

export class NotMultipartError extends Error {}

export function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');
}

export function parseForm(req: IncomingMessage, limits: FormLimits): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8', // browsers and undici send UTF-8 file names
        limits: { fileSize: limits.maxFileBytes, files: limits.maxFiles, fieldSize: limits.maxFieldBytes },
      });
    } catch (err) {
      reject(new NotMultipartError(err instanceof Error ? err.message : String(err)));
      return;
    }
    const form: ParsedForm = { fields: {}, files: [], tooManyFiles: false, truncatedFields: [] };
    const pending: Promise<void>[] = [];

    parser.on('field', (name, value, info) => {
      form.fields[name] = value;
      if (info.valueTruncated) form.truncatedFields.push(name);
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      pending.push(
        new Promise<void>((done) => {
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('close', () => {
            form.files.push({
              field,
              filename: info.filename ?? '',
              contentType: info.mimeType,
              data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
              truncated: stream.truncated === true,
            });
            done();
          });
        }),
      );
    });
    parser.on('filesLimit', () => {
      form.tooManyFiles = true;
    });
    parser.on('error', (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))));
    parser.on('close', () => {
      Promise.all(pending).then(() => resolve(form), reject);
    });
    req.on('error', reject);
    req.pipe(parser);
  });
}
