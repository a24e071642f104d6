/** Every visible string is translated: de and ja hold exactly the keys and placeholders of en-US. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import should from 'should';

const nodesDir = join(__dirname, '..', '..', 'nodes');

function flatten(value: unknown, prefix = ''): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (inner && typeof inner === 'object') for (const [k, v] of flatten(inner, path)) entries.set(k, v);
    else entries.set(path, String(inner));
  }
  return entries;
}

const placeholders = (text: string) => [...text.matchAll(/__\w+__/g)].map((match) => match[0]).sort();

function catalogue(type: string, lang: string): Map<string, string> {
  return flatten(JSON.parse(readFileSync(join(nodesDir, type, 'locales', lang, `${type}.json`), 'utf8')));
}

describe('i18n catalogues', function () {
  for (const type of ['create-image-variation', 'openai-image-api']) {
    for (const lang of ['de', 'ja']) {
      it(`${type}: ${lang} has every en-US key with the same placeholders, translated`, function () {
        const english = catalogue(type, 'en-US');
        const other = catalogue(type, lang);
        should([...other.keys()].sort()).eql([...english.keys()].sort());
        let differing = 0;
        for (const [key, text] of english) {
          should(placeholders(other.get(key) as string)).eql(placeholders(text), `${lang} ${key}`);
          if (other.get(key) !== text) differing++;
        }
        should(differing / english.size).be.above(0.5);
      });
    }
  }

  it('has a catalogue entry for every error and status key the runtime uses', function () {
    const english = catalogue('create-image-variation', 'en-US');
    const sources = ['errors.ts', 'image-source.ts', 'validate.ts', 'prepare.ts', 'create-image-variation.ts']
      .map((file) => readFileSync(join(nodesDir, 'create-image-variation', file), 'utf8'))
      .join('\n');
    const used = new Set<string>();
    for (const match of sources.matchAll(/invalidInput\('(\w+)'/g)) used.add(`errors.${match[1]}`);
    for (const match of sources.matchAll(/new VariationError\('\w+', '(\w+)'/g)) used.add(`errors.${match[1]}`);
    for (const match of sources.matchAll(/key = context\.method === 'variations' \? '(\w+)' : '(\w+)'/g)) {
      used.add(`errors.${match[1]}`);
      used.add(`errors.${match[2]}`);
    }
    should(used.size).be.above(15);
    for (const key of used) should(english.has(`create-image-variation.${key}`)).be.true(`missing ${key}`);
  });
});
