/**
 * The package as users get it. `npm pack` makes the tarball (its `prepare` builds dist/), which is installed into a
 * fresh folder beside TypeScript, Vite and @types/node at the versions this project uses (its `install` script
 * builds the native addon there, as it would for a user). In that folder the test then
 *   (a) imports 'recur' and 'recur/portable' from an ES module and runs an LSTM and an RNN forward;
 *   (b) type-checks a TypeScript file that imports types and values from both, with `tsc --strict` (NodeNext);
 *   (c) runs the `recur` bin: --help, `devices --json`, and a usage error;
 *   (d) bundles a page importing 'recur/portable' with `vite build`, serves it (cross-origin isolated, as the wasm
 *       backend's second thread needs) and reads the result the page wrote into its DOM in headless Chromium.
 * npm installs from its cache (--prefer-offline); nothing else leaves the machine. Part (d) is skipped, saying so,
 * when /usr/bin/chromium is missing (scripts/install-test-deps.sh installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
/** What the test folder installs beside the tarball: the versions this checkout has, so npm's cache has them. */
const TOOLS = ['typescript', 'vite', '@types/node'];
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** (b) as a user would type it; (d) builds page/ into dist/. */
const TSC_ARGS = ['--noEmit', '--strict', '--module', 'NodeNext', '--moduleResolution', 'NodeNext',
  '--target', 'ES2022', '--types', 'node', 'check.ts'];
const VITE_ARGS = ['build', 'page', '--outDir', '../dist', '--emptyOutDir', '--logLevel', 'warn'];

/**
 * The environment for the commands: this process's, without what npm, vitest and recur set for themselves (an
 * inherited npm_config_prefix would point the install elsewhere, NODE_ENV=test would change Vite's build, and
 * RECUR_NATIVE_ADDON would load this checkout's addon instead of the installed one). npm's cache stays.
 */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) =>
  !(/^npm_/i.test(k) && !/^npm_config_(cache|userconfig|globalconfig)$/i.test(k))
  && !/^(VITEST|RECUR_)/.test(k) && !['NODE_ENV', 'NODE_OPTIONS', 'TEST'].includes(k)));

interface Ran { stdout: string; stderr: string; code: number; seconds: number }

/** Runs a command to its end; never throws, so a test can check a failing exit code and show the output. */
function sh(cmd: string, args: string[], cwd: string, timeout = 240_000): Promise<Ran> {
  const t0 = performance.now();
  return new Promise((done) => {
    execFile(cmd, args, { cwd, env: ENV, timeout, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      const seconds = (performance.now() - t0) / 1000;
      done({ stdout, stderr: err && !stderr ? String(err) : stderr, code, seconds });
    });
  });
}

/** Like sh, but a non-zero exit is an error that shows the command and the end of its output. */
async function must(cmd: string, args: string[], cwd: string, timeout?: number): Promise<Ran> {
  const r = await sh(cmd, args, cwd, timeout);
  if (r.code !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} exited with ${r.code}:\n${tail}`);
  }
  return r;
}

const version = (pkg: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Copies what `npm pack` reads (package.json, what its "files" list, and the build's inputs) into dir, with this
 * checkout's node_modules linked in for the build's tools. Packing there runs `prepare` on the copy, so this
 * checkout's dist/ is neither deleted nor rewritten while the test runs (other tools and runs may be using it).
 */
async function stage(dir: string): Promise<void> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  const build = ['tsconfig.json', 'tsconfig.build.json', 'src'];
  const inputs = ['package.json', '.npmignore', '.gitignore', ...build, ...pkg.files];
  // the build's outputs are made afresh by `prepare` and the install script, never copied
  const skip = new Set(['dist', 'src/kernels/native/build'].map((p) => join(ROOT, p)));
  for (const p of new Set(inputs)) {
    if (!existsSync(join(ROOT, p))) continue;
    await cp(join(ROOT, p), join(dir, p), { recursive: true, filter: (from) => !skip.has(from) });
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

let work = '', app = '';
const notRun: Promise<Ran> = Promise.resolve({ stdout: '', stderr: 'not run', code: -1, seconds: 0 });
let tscRun = notRun, viteRun = notRun;
const timings: Record<string, number> = {};

/** (a) The two entries from an ES module in Node: shapes, finite values, and native against the reference. */
const ESM_CHECK = `
import * as recur from 'recur';
import * as portable from 'recur/portable';
import { existsSync } from 'node:fs';

const x = recur.randn([5, 2, 3], { rng: new recur.Rng(3) });                 // (T, B, D)
const lstm = (device) => new recur.LSTM({ inputSize: 3, hiddenSize: 4, device, rng: new recur.Rng(1) });
const ref = lstm('cpu').forward(x), fast = lstm('auto').forward(x);
let maxDiff = 0;
const a = ref.output.data, b = fast.output.data;
for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
const rnn = new portable.RNN({ inputSize: 3, hiddenSize: 6, numLayers: 2, device: 'cpu', rng: new portable.Rng(2) });
const r = rnn.forward(x);
const finite = (t) => Array.from(t.data).every(Number.isFinite);
console.log(JSON.stringify({
  lstm: { output: fast.output.shape, hT: fast.hT.shape, cT: fast.cT.shape, finite: finite(fast.output), maxDiff },
  rnn: { output: r.output.shape, hT: r.hT.shape, finite: finite(r.output) && finite(r.hT) },
  auto: recur.getBackend('auto').name,
  devices: recur.listDevices(),
  sameClass: recur.LSTM === portable.LSTM,
  nodeOnly: { inRecur: typeof recur.runForecast, inPortable: typeof portable.runForecast },
  weather: existsSync(recur.vegaDataset('seattle-weather.csv')),
}));
`;

/** (b) Types and values from both entries, under --strict; the expected error proves the types are not `any`. */
const TS_CHECK = `
import {
  Adam, LSTM, Linear, Rng, listDevices, randn, runForecast, saveModel,
  type Device, type DeviceInfo, type ForecastOptions, type ForecastRun, type RecurrentResult, type Tensor,
} from 'recur';
import { GRU, MyRNNCell, type RecurrentOptions } from 'recur/portable';

const device: Device = 'cpu';
const options: RecurrentOptions = { inputSize: 3, hiddenSize: 4, device, rng: new Rng(1) };
const lstm = new LSTM(options), gru = new GRU(options), head = new Linear(4, 2);
const opt = new Adam([...lstm.parameters(), ...head.parameters()], { lr: 1e-3 });
const r: RecurrentResult = lstm.forward(randn([5, 2, 3]), { h0: null, c0: null });
const logits: Tensor = head.forward(r.output);
const hT: Tensor = gru.forward(randn([5, 2, 3])).hT;
const [y, h] = new MyRNNCell(16, 8, 4).forward(randn([8, 1]));
const devices: DeviceInfo[] = listDevices();
const forecast: ForecastOptions = { horizon: 7, cell: 'lstm', device };
const train: (...a: Parameters<typeof runForecast>) => Promise<ForecastRun> = runForecast;
// @ts-expect-error a device recur does not have
const wrong: Device = 'gpu';
export { devices, forecast, h, hT, logits, opt, saveModel, train, wrong, y };
`;

/** (d) The page: an LSTM on the device 'auto' picks in the browser, against the reference kernels, into the DOM. */
const PAGE_SCRIPT = `
import { LSTM, Rng, getBackend, initWasm, listDevices, randn } from 'recur/portable';

const out = document.querySelector('#out');
async function main() {
  await initWasm(); // a browser main thread compiles the wasm kernels asynchronously
  const x = randn([5, 2, 3], { rng: new Rng(3) });
  const lstm = (device) => new LSTM({ inputSize: 3, hiddenSize: 4, device, rng: new Rng(1) });
  const ref = lstm('cpu').forward(x).output, fast = lstm('auto').forward(x).output;
  let maxDiff = 0;
  for (let i = 0; i < ref.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref.data[i] - fast.data[i]));
  return {
    shape: fast.shape, finite: Array.from(fast.data).every(Number.isFinite), maxDiff,
    device: getBackend('auto').description, devices: listDevices(), isolated: crossOriginIsolated,
  };
}
main().then((r) => { out.textContent = JSON.stringify(r); },
  (e) => { out.textContent = 'error: ' + (e && e.stack || e); })
  .finally(() => { out.dataset.state = 'done'; });
`;

const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>recur in a page</title></head>
<body><pre id="out">running</pre><script type="module" src="./main.js"></script></body></html>
`;

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves a folder on 127.0.0.1 with the headers that make a page cross-origin isolated. */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    readFile(file).then((body) => {
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp',
      });
      res.end(body);
    }, () => { res.writeHead(404); res.end(); });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

describe('the package as users get it', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'recur-package-'));
    app = join(work, 'app');
    await mkdir(join(app, 'page'), { recursive: true });
    await stage(join(work, 'source'));
    // `npm pack` runs `prepare` (the build) first, so the tarball holds a fresh dist/
    const pack = await must(NPM, ['pack', '--pack-destination', work, '--silent'], join(work, 'source'));
    timings.pack = pack.seconds;
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    expect(tarball, `npm pack left no tarball in ${work}`).toBeDefined();
    const deps = Object.fromEntries([['recur', `file:../${tarball}`], ...TOOLS.map((t) => [t, version(t)])]);
    await Promise.all([
      writeFile(join(app, 'package.json'),
        JSON.stringify({ name: 'recur-user', private: true, type: 'module', dependencies: deps }, null, 2)),
      writeFile(join(app, 'check.mjs'), ESM_CHECK),
      writeFile(join(app, 'check.ts'), TS_CHECK),
      writeFile(join(app, 'page', 'index.html'), PAGE_HTML),
      writeFile(join(app, 'page', 'main.js'), PAGE_SCRIPT),
    ]);
    // a real install: recur's `install` script builds the native addon here, as it does for a user
    const install = await must(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund'], app, 360_000);
    timings.install = install.seconds;
    // the two slowest checks start now and overlap the others (sh never rejects: each test reads its result)
    const tsc = join(app, 'node_modules/typescript/bin/tsc');
    tscRun = sh(process.execPath, [tsc, ...TSC_ARGS], app);
    const vite = join(app, 'node_modules/vite/bin/vite.js');
    if (existsSync(CHROMIUM)) {
      viteRun = sh(process.execPath, [vite, ...VITE_ARGS], app);
    }
  }, 480_000);

  afterAll(async () => {
    if (Object.keys(timings).length > 0) console.log(`package test, seconds: ${JSON.stringify(timings)}`);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('installs the native addon the way this checkout has it', () => {
    const status = (dir: string) => {
      const f = join(dir, 'src/kernels/native/build/status.json');
      return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { ok: boolean; reason: string | null }) : null;
    };
    const installed = status(join(app, 'node_modules/recur'));
    expect(installed, 'the install script wrote no status.json').not.toBeNull();
    // where this machine could build it for the checkout, the user's install must build it too
    if (status(ROOT)?.ok) expect(installed, installed?.reason ?? '').toMatchObject({ ok: true });
  });

  it('imports both entries from an ES module and runs recurrent layers', async () => {
    const r = await must(process.execPath, ['check.mjs'], app);
    const o = JSON.parse(r.stdout) as {
      lstm: { output: number[]; hT: number[]; cT: number[]; finite: boolean; maxDiff: number };
      rnn: { output: number[]; hT: number[]; finite: boolean };
      auto: string; devices: { name: string; available: boolean; reason: string | null }[]; sameClass: boolean;
      nodeOnly: { inRecur: string; inPortable: string }; weather: boolean;
    };
    expect(o.lstm).toMatchObject({ output: [5, 2, 4], hT: [1, 2, 4], cT: [1, 2, 4], finite: true });
    expect(o.lstm.maxDiff, `'auto' (${o.auto}) against 'cpu'`).toBeLessThan(1e-5);
    expect(o.rnn).toEqual({ output: [5, 2, 6], hT: [2, 2, 6], finite: true });
    expect(o.sameClass, "'recur' re-exports the classes of 'recur/portable'").toBe(true);
    expect(o.nodeOnly).toEqual({ inRecur: 'function', inPortable: 'undefined' });
    expect(o.weather, 'the bundled data sets resolve from the installed package').toBe(true);
    const native = o.devices.find((d) => d.name === 'native');
    if (native?.available) expect(o.auto).toBe('native');
  });

  it('type-checks a TypeScript file against the published declarations (--strict, NodeNext)', async () => {
    const r = await tscRun;
    timings.tsc = r.seconds;
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
  }, 120_000);

  it('runs the recur command', async () => {
    const bin = join(app, 'node_modules/.bin/recur');
    const help = await must(bin, ['--help'], app);
    for (const cmd of ['demo', 'devices', 'forecast', 'text', 'classify', 'generate', 'translate']) {
      expect(help.stdout).toContain(cmd);
    }
    const listed = await must(bin, ['devices', '--json'], app);
    const devices = JSON.parse(listed.stdout) as { devices: { name: string }[]; auto: string };
    expect(devices.devices.map((d) => d.name).sort()).toEqual(['cpu', 'native', 'wasm']);
    expect(['native', 'wasm', 'cpu']).toContain(devices.auto);
    // errors are one line and a non-zero exit code
    const bad = await sh(bin, ['devices', '--no-such-option'], app);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  it('bundles with Vite and runs in Chromium', async (ctx) => {
    if (!existsSync(CHROMIUM)) {
      const why = `${CHROMIUM} is missing, so the bundled page is not opened (apt-get install -y chromium)`;
      console.warn(`skipped: ${why}`);
      ctx.skip(why);
    }
    const built = await viteRun;
    timings.vite = built.seconds;
    expect(built.code, `vite build:\n${built.stdout}${built.stderr}`).toBe(0);
    const { server, url } = await serve(join(app, 'dist'));
    let browser: Browser | null = null;
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM, headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
          '--no-first-run'],
      });
      const page = await browser.newPage();
      const problems: string[] = [], outside: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      // an error thrown while the page's modules load ends the wait at once: the script would never finish
      const crashed = new Promise<never>((_, fail) => {
        page.once('pageerror', (e) => fail(new Error(`page error: ${e.message}`)));
      });
      crashed.catch(() => {}); // it is raced below, after goto; until then an early rejection is not unhandled
      // offline: anything not served here is refused and remembered
      await page.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.hostname === '127.0.0.1' || u.protocol === 'blob:' || u.protocol === 'data:') return route.continue();
        outside.push(u.href);
        return route.abort();
      });
      await page.goto(url);
      const done = page.waitForSelector('#out[data-state="done"]', { state: 'attached', timeout: 30_000 });
      await Promise.race([done, crashed]).catch((e: Error) => {
        throw new Error(`the page did not finish: ${[...new Set([...problems, e.message.split('\n')[0]])].join('; ')}`);
      });
      const text = (await page.textContent('#out')) ?? '';
      expect(text.startsWith('error'), text).toBe(false);
      const o = JSON.parse(text) as {
        shape: number[]; finite: boolean; maxDiff: number; device: string; isolated: boolean;
      };
      expect(o).toMatchObject({ shape: [5, 2, 4], finite: true, isolated: true });
      expect(o.maxDiff, `'auto' (${o.device}) against 'cpu'`).toBeLessThan(1e-5);
      expect(o.device, text).toMatch(/^wasm/);
      expect(problems).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await browser?.close();
      await new Promise((ok) => server.close(ok));
    }
  }, 180_000);
});
