// The registry of `molrl` sub-commands: one file per command group, listed here explicitly, sorted.
import type { Command } from 'commander';
import { registerEval } from './eval.ts';
import { registerExport } from './export.ts';
import { registerPlugins } from './plugins.ts';
import { registerReport } from './report.ts';
import { registerSandbox } from './sandbox.ts';
import { registerScore } from './score.ts';
import { registerServe } from './serve.ts';
import { registerServer } from './server.ts';
import { registerTraces } from './traces.ts';
import { registerTrain } from './train.ts';
import { registerValidate } from './validate.ts';

/** Adds every sub-command to `program`. */
export function registerCommands(program: Command): void {
  registerEval(program);
  registerExport(program);
  registerPlugins(program);
  registerReport(program);
  registerSandbox(program);
  registerScore(program);
  registerServe(program);
  registerServer(program);
  registerTraces(program);
  registerTrain(program);
  registerValidate(program);
}
