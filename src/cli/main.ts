#!/usr/bin/env node
import { Command, InvalidArgumentError, Option } from 'commander';
import '../autograd/index.js';
import { type Device, listDevices } from '../kernels/device.js';
import { runDemo } from './commands/demo.js';
import { Out, fail } from './output.js';

/** The `recur` command line. Every command: --help, --json, --seed, --device; one-line errors. */
const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`expected an integer, got '${v}'`);
  return n;
};
const common = (c: Command): Command => c
  .option('--json', 'print one JSON object on stdout (logs go to stderr)', false)
  .option('--seed <n>', 'random seed', int, 0)
  .addOption(new Option('--device <name>', 'compute backend').choices(['auto', 'cpu', 'wasm', 'native']).default('auto'));

const program = new Command('recur')
  .description('Recurrent neural networks from first principles: train, evaluate and sample RNN/LSTM/GRU models.')
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

common(program.command('demo'))
  .description("the seed's explicit RNN cell: shapes, device, and a short training on a real series")
  .option('--epochs <n>', 'training epochs', int, 6)
  .action((o: { json: boolean; seed: number; device: Device; epochs: number }) => {
    const out = new Out(o.json);
    out.result(runDemo(out, o));
  });

common(program.command('devices'))
  .description('the compute backends on this machine, fastest first, and which one auto picks')
  .action((o: { json: boolean }) => {
    const out = new Out(o.json), devs = listDevices();
    for (const d of devs) out.say(`${d.available ? '✓' : '✗'} ${d.name}${d.available ? '' : `: ${d.reason}`}`);
    out.say(`auto → ${devs.find((d) => d.available)!.name}`);
    out.result({ devices: devs, auto: devs.find((d) => d.available)!.name });
  });

common(program.command('start'))
  .description('the guided tour run by `npm start`: the seed demo on bundled data')
  .action((o: { json: boolean; seed: number; device: Device }) => {
    const out = new Out(o.json);
    const demo = runDemo(out, { ...o, epochs: 6 });
    out.result({ demo });
  });

program.parseAsync(process.argv).catch(fail);
process.on('uncaughtException', fail);
