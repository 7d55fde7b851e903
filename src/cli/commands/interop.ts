import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DataError } from '../../errors.js';
import { loadModelFile, writeFileAtomic } from '../../io/fs.js';
import { exportOnnx, exportTorch, importTorch } from '../../interop/index.js';
import { type CommonOpts, common, readBytes } from '../common.js';
import { Out } from '../output.js';

const FORMATS = ['torch', 'onnx'];

/** `recur export` and `recur import`: models to and from PyTorch, and out to ONNX. */
export function registerInterop(program: Command): void {
  common(program.command('export'))
    .description('write a model for PyTorch (DIR/model.safetensors + DIR/model.py, and DIR/train.py for a char-lm or '
      + 'forecaster: training under torchrun) or as an ONNX file')
    .argument('<model>', 'a recur model file (char-lm, forecaster, denoiser, classifier, conditional-generator)')
    .argument('<out>', 'torch: a directory (created if missing); onnx: the .onnx file to write')
    .requiredOption('--format <format>', `${FORMATS.join(' or ')}`)
    .option('--state', 'onnx: add initial-state inputs h0 (c0) and final-state outputs hT (cT)', false)
    .action(async (model: string, outPath: string, o: CommonOpts & { format: string; state: boolean }) => {
      const out = new Out(o.json);
      // checked here rather than with commander's choices, so a bad value is one `recur:` line like every other error
      if (!FORMATS.includes(o.format)) throw new DataError(`--format: expected ${FORMATS.join(' or ')}, got '${o.format}'`);
      if (o.state && o.format !== 'onnx') throw new DataError('--state applies to --format onnx only');
      const parsed = await loadModelFile(model);
      const files: string[] = [];
      if (o.format === 'torch') {
        const { safetensors, python, train } = exportTorch(parsed);
        mkdirSync(outPath, { recursive: true });
        const text = (s: string) => new TextEncoder().encode(s);
        const written: [string, Uint8Array][] = [['model.safetensors', safetensors], ['model.py', text(python)]];
        if (train !== null) written.push(['train.py', text(train)]);
        for (const [name, bytes] of written) {
          files.push(join(outPath, name));
          await writeFileAtomic(files.at(-1)!, bytes);
        }
      } else {
        files.push(outPath);
        await writeFileAtomic(outPath, exportOnnx(parsed, { state: o.state }));
      }
      out.say(`${parsed.meta.kind} model written as ${o.format}: ${files.join(', ')}`);
      out.result({ format: o.format, kind: parsed.meta.kind, files });
    });

  common(program.command('import'))
    .description('read a PyTorch state dict (safetensors, e.g. from model.py\'s save) back into a recur model file')
    .requiredOption('--from <file>', 'the state dict, as safetensors')
    .requiredOption('--out <file>', 'the recur model file to write')
    .option('--template <model>', 'a recur model of the same architecture (needed when the file carries no recur metadata)')
    .action(async (o: CommonOpts & { from: string; out: string; template?: string }) => {
      const out = new Out(o.json);
      const template = o.template === undefined ? undefined : await loadModelFile(o.template);
      const bytes = importTorch(readBytes(o.from), { template, source: o.from });
      await writeFileAtomic(o.out, bytes);
      out.say(`recur model written to ${o.out}`);
      out.result({ out: o.out, from: o.from, template: o.template ?? null });
    });
}
