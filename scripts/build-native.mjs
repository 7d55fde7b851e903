#!/usr/bin/env node
// Builds the optional native backend (src/kernels/native) with node-gyp, offline.
//
// Runs as the package's `install` script, so it must never fail an install: whatever goes wrong,
// it prints one line saying the native backend is unavailable and why, records the reason in
// src/kernels/native/build/status.json (shown by `recur devices` / listDevices()), and exits 0.
// Nothing is downloaded: node-gyp gets the local Node headers (--nodedir), or the build is skipped.
//
//   node scripts/build-native.mjs           build unless an up-to-date addon is already there
//   node scripts/build-native.mjs --force   rebuild (npm run build:native)
//   node scripts/build-native.mjs --hash    print the hash of the sources (the tests compare it)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../src/kernels/native');
const buildDir = join(dir, 'build');
const addon = join(buildDir, 'Release', 'recur_native.node');
const statusFile = join(buildDir, 'status.json');
const logFile = join(buildDir, 'build.log');
const force = process.argv.includes('--force');

/** A hash of everything the addon is built from: the tests use it to spot a stale build. */
function sourceHash() {
  const h = createHash('sha256');
  const files = ['binding.gyp', ...readdirSync(join(dir, 'csrc')).sort().map((f) => `csrc/${f}`)];
  for (const f of files) h.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

function writeStatus(ok, reason, extra = {}) {
  mkdirSync(buildDir, { recursive: true });
  const status = { ok, reason, sourceHash: sourceHash(), node: process.version, abi: process.versions.modules, ...extra };
  writeFileSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
}

function unavailable(reason) {
  try { rmSync(addon, { force: true }); writeStatus(false, reason); } catch { /* the message below still says why */ }
  console.log(`recur: native backend unavailable (${reason}); using the JavaScript/WebAssembly kernels`);
  process.exit(0);
}

const onPath = (cmd) => (process.env.PATH ?? '').split(delimiter).some((p) => p && existsSync(join(p, cmd)));

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp, // set by npm for lifecycle scripts
    join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return [process.execPath, c];
  return onPath('node-gyp') ? ['node-gyp'] : null;
}

/** A directory holding include/node/node_api.h for this Node: npm's nodedir, or beside the binary. */
function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')];
  for (const c of candidates) {
    if (!c) continue;
    if (existsSync(join(c, 'include/node/node_api.h')) && existsSync(join(c, 'include/node/common.gypi'))) return c;
  }
  return null;
}

function main() {
  if (process.env.RECUR_NATIVE === '0') unavailable('disabled by RECUR_NATIVE=0');
  if (process.platform !== 'linux' && process.platform !== 'darwin') unavailable(`not supported on ${process.platform} yet`);
  if (!force && existsSync(addon) && existsSync(statusFile)) {
    const s = JSON.parse(readFileSync(statusFile, 'utf8'));
    if (s.ok && s.sourceHash === sourceHash() && s.abi === process.versions.modules) {
      console.log(`recur: native backend up to date (${s.summary ?? 'built'})`);
      return;
    }
  }
  const gyp = findNodeGyp();
  if (!gyp) unavailable('node-gyp not found');
  const nodedir = findNodeDir();
  if (!nodedir) unavailable(`Node headers not found (looked for include/node/node_api.h under ${resolve(dirname(process.execPath), '..')}; nothing is downloaded)`);
  const cc = process.env.CC ?? 'cc';
  if (!existsSync(cc) && !onPath(cc)) unavailable(`no C compiler (${cc}) on PATH`);
  if (!onPath('make')) unavailable('make not found');
  if (!onPath('python3') && !process.env.PYTHON) unavailable('python3 (needed by node-gyp) not found');

  const t0 = Date.now();
  const jobs = String(Math.max(1, Math.min(4, availableParallelism())));
  const [cmd, ...pre] = gyp;
  const r = spawnSync(cmd, [...pre, 'rebuild', `--nodedir=${nodedir}`, '-j', jobs], {
    cwd: dir, encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, npm_config_nodedir: nodedir },
  });
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.error || r.status !== 0 || !existsSync(addon)) {
    const firstError = `${r.stderr ?? ''}`.split('\n').find((l) => /error/i.test(l) && !/^gyp (ERR!|info)/.test(l))
      ?? `${r.stderr ?? ''}`.split('\n').find((l) => /ERR!/.test(l));
    const why = r.error ? r.error.message : (firstError ?? `node-gyp exited with ${r.status}`).trim();
    unavailable(`build failed: ${why.slice(0, 200)} — see ${logFile}`);
  }
  // load it once in a fresh process: a broken link or ABI shows up now, not at first use
  const probe = spawnSync(process.execPath, ['-e', `const m = require(${JSON.stringify(addon)}); const i = m.info();
    process.stdout.write(i.isa + ', ' + (i.blas ? i.blas.version : 'own GEMM (' + i.blasError + ')'))`], { encoding: 'utf8', timeout: 30_000 });
  if (probe.status !== 0) unavailable(`built but does not load: ${(probe.stderr || '').split('\n')[0]}`);
  const summary = probe.stdout.trim();
  writeStatus(true, null, { summary, seconds: (Date.now() - t0) / 1000 });
  console.log(`recur: native backend built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${summary})`);
}

try {
  if (process.argv.includes('--hash')) console.log(sourceHash());
  else main();
} catch (e) {
  unavailable(`build script error: ${e instanceof Error ? e.message : String(e)}`);
}
