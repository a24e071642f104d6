/** SPEC 1: the package as Node-RED's loader and the palette manager see it. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import should from 'should';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const NODE_TYPES = ['create-image-variation', 'openai-image-api'];

describe('SPEC 1: package', function () {
  it('has the scoped name, the node-red keyword, license and repository', function () {
    should(pkg.name).equal('@variantflow/node-red-openai-image-variation');
    should(pkg.keywords).containEql('node-red');
    should(pkg.license).be.a.String().and.not.be.empty();
    should(pkg.repository.url).be.a.String().and.not.be.empty();
  });

  it('asks for Node-RED >= 4.1.0 and Node.js >= 22', function () {
    should(pkg['node-red'].version).equal('>=4.1.0');
    should(pkg.engines.node).equal('>=22');
  });

  it('depends at run time on the openai SDK 7.x and little else', function () {
    should(pkg.dependencies.openai).match(/^\^7\./);
    should(Object.keys(pkg.dependencies).length).be.belowOrEqual(3);
  });

  for (const type of NODE_TYPES) {
    describe(`${type} as built`, function () {
      const file = join(root, pkg['node-red'].nodes[type]);
      const dir = join(file, '..');

      it('is listed in the node-red section and compiled to CommonJS', function () {
        should(existsSync(file)).be.true();
        const register = require(file);
        should(register).be.a.Function();
      });

      it('has its .html beside the .js, with the shared choices filled in', function () {
        const html = readFileSync(file.replace(/\.js$/, '.html'), 'utf8');
        should([`registerType("${type}"`, `registerType('${type}'`].some((call) => html.includes(call))).be.true();
        should(html).not.containEql('__SHARED_CHOICES__');
      });

      it('has locales/<lang>/ beside the .js with a catalogue and help for en-US, de and ja', function () {
        for (const lang of ['en-US', 'de', 'ja']) {
          should(existsSync(join(dir, 'locales', lang, `${type}.json`))).be.true();
          should(existsSync(join(dir, 'locales', lang, `${type}.html`))).be.true();
        }
      });

      it('has icons/ beside the .js', function () {
        should(readdirSync(join(dir, 'icons')).some((name) => name.endsWith('.svg'))).be.true();
      });
    });
  }

  it('ships only what runs: the built nodes and the examples', function () {
    should(pkg.files).eql(['dist/nodes', 'examples']);
  });

  it('offers at least one example flow at the package root', function () {
    should(readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.json')).length).be.above(0);
  });
});
