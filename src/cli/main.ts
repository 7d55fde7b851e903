#!/usr/bin/env node
import { mkdirSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import '../autograd/index.js';
// registers every backend this machine has (native, wasm); 'auto' picks the fastest
import '../kernels/index.js';
import { vegaDataset } from '../data/datasets.js';
import { listDevices } from '../kernels/device.js';
import { type CommonOpts, common, posInt } from './common.js';
import { registerClassify } from './commands/classify.js';
import { runDemo } from './commands/demo.js';
import { forecastTrain, registerForecast } from './commands/forecast.js';
import { registerGenerate } from './commands/generate.js';
import { registerInterop } from './commands/interop.js';
import { registerSignals } from './commands/signals.js';
import { registerTranslate } from './commands/translate.js';
import { registerText, textTrain } from './commands/text.js';
import { parseModelFile } from '../io/model-file.js';
import { charLMFromFile } from '../tasks/text/load.js';
import { Sampler } from '../tasks/text/sample.js';
import { TEXT_DEFAULTS } from '../tasks/text/train.js';
import { Out, fail } from './output.js';

/** The `recur` command line. Every command: --help, --json, --seed, --device; one-line errors. */
const program = new Command('recur')
  .description('Recurrent neural networks from first principles: train, evaluate and sample RNN/LSTM/GRU models.')
  // a usage error is one line, like every other error; --help has the rest
  .configureOutput({
    writeErr: (s) => process.stderr.write(s),
    outputError: (s, write) => write(`recur: ${s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')} (--help lists the options)\n`),
  });

common(program.command('demo'))
  .description("the seed's explicit RNN cell: shapes, device, and a short training on a real series")
  .option('--epochs <n>', 'training epochs', posInt, 6)
  .action((o: CommonOpts & { epochs: number }) => {
    const out = new Out(o.json);
    out.result(runDemo(out, o));
  });

common(program.command('devices'))
  .description('the compute backends on this machine, fastest first, and which one auto picks')
  .action((o: CommonOpts) => {
    const out = new Out(o.json), devs = listDevices(), auto = devs.find((d) => d.available)!.name;
    for (const d of devs) out.say(`${d.available ? '✓' : '✗'} ${d.name}${d.available ? '' : `: ${d.reason}`}`);
    out.say(`auto → ${auto}`);
    out.result({ devices: devs, auto });
  });

common(program.command('start'))
  .description('the guided tour run by `npm start`: the seed demo, a forecast of bundled weather data, a character model of Moby-Dick')
  .option('--quick', 'shorter trainings (for tests)', false)
  .action(async (o: CommonOpts & { quick: boolean }) => {
    const out = new Out(o.json);
    mkdirSync('runs/start', { recursive: true });
    const demo = runDemo(out, { ...o, epochs: o.quick ? 2 : 6 });
    out.say('');
    out.say("Forecasting Seattle's daily max temperature 1–7 days ahead from the last weeks of max/min temperature,");
    out.say('precipitation and wind (vega-datasets), against persistence, seasonal naive, a moving average, ETS, Theta and naive2:');
    const forecast = await forecastTrain({
      ...o, data: vegaDataset('seattle-weather.csv'), target: ['temp_max'], features: ['temp_min', 'precipitation', 'wind'],
      missing: 'interpolate', horizon: 7, cell: 'lstm', hidden: 32, layers: 1, epochs: o.quick ? 2 : 20, batch: 32, lr: 3e-3,
      mode: 'direct', inputs: 'auto', out: 'runs/start/weather.safetensors', plot: 'runs/start/weather-forecast.svg',
      checkpointEvery: 0, resume: false, skipBadBatches: false,
    });
    out.say('');
    out.say('Training a character-level LSTM on Moby-Dick (bundled), then sampling from it:');
    const text = await textTrain({
      ...TEXT_DEFAULTS, ...o, data: 'moby-dick', steps: o.quick ? 5 : TEXT_DEFAULTS.steps, evalEvery: o.quick ? 0 : 250,
      stream: false,
      out: 'runs/start/moby-dick.safetensors', checkpointEvery: 0, resume: false, skipBadBatches: false,
    });
    const { model, vocab } = charLMFromFile(parseModelFile(new Uint8Array(readFileSync('runs/start/moby-dick.safetensors')), 'char-lm'));
    out.say('');
    const sample = new Sampler(model, vocab).sample({ prime: 'Call me ', length: o.quick ? 40 : 400, temperature: 0.7, seed: o.seed });
    out.say(`Call me ${sample.text}`);
    out.say('');
    out.say('Files in runs/start: weather.safetensors, weather-forecast.svg, moby-dick.safetensors. Next: recur --help.');
    out.result({ demo, forecast, text: { ...text, sample: sample.text } });
  });

registerForecast(program);
registerSignals(program);
registerTranslate(program);
registerClassify(program);
registerGenerate(program);
registerText(program);
registerInterop(program);

process.on('uncaughtException', fail);
program.parseAsync(process.argv).catch(fail);
