/** Image files and folders built in code for each test run; removed afterwards. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestImage, makeTestPng } from '../../tools/simulator';

export interface Fixtures {
  dir: string;
  /** Writes bytes to a file in the fixture folder and returns its absolute path. */
  file(name: string, bytes: Buffer | string): Promise<string>;
  png(name: string, width: number, height: number): Promise<string>;
  image(name: string, format: 'png' | 'jpeg' | 'webp', width: number, height: number): Promise<string>;
  remove(): Promise<void>;
}

export async function createFixtures(): Promise<Fixtures> {
  const dir = await mkdtemp(join(tmpdir(), 'variation-test-'));
  const file = async (name: string, bytes: Buffer | string) => {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  };
  return {
    dir,
    file,
    png: async (name, width, height) => file(name, await makeTestPng(width, height)),
    image: async (name, format, width, height) => file(name, await makeTestImage(format, width, height)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
