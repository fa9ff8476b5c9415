import { isMainThread, workerData } from 'node:worker_threads';
import { backtestCommand } from './backtest-command.js';
import { isUserError } from './user-error.js';
import { guardStdio, isClosedPipe } from './closed-pipe.js';
import { EXIT } from './exit-codes.js';
import { describeError } from '../core/problems.js';

const USAGE = `usage: tickflow <command> [options]

commands:
  backtest   run strategies over historical candles (tickflow backtest --help)
  walker     compare strategies on one pass of the candles (tickflow walker --help)
  live       run strategies live on an exchange or a Kafka candle topic (tickflow live --help)
  feed       publish candles into a Kafka topic (tickflow feed --help)
  optimize   search a strategy's parameter space, with overfitting statistics (tickflow optimize --help)
  walk-forward  optimise on rolling train windows, test out of sample (tickflow walk-forward --help)
  data       download, list, import and export candles in the local candle store (tickflow data --help)
  worker     evaluate the trial batches of distributed studies from Kafka (tickflow worker --help)
  generate   an LLM writes strategies, judged out of sample with overfitting statistics (tickflow generate --help)

options:
  --version  print tickflow's version
  --help     this text; every command explains its flags with --help`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'backtest':
      return backtestCommand(rest);
    case 'walker':
      return (await import('./walker-command.js')).walkerCommand(rest);
    case 'live':
      return (await import('./live-command.js')).liveCommand(rest);
    case 'optimize':
      return (await import('./optimize-command.js')).optimizeCommand(rest);
    case 'walk-forward':
      return (await import('./walk-forward-command.js')).walkForwardCommand(rest);
    case 'generate':
      return (await import('./generate-command.js')).generateCommand(rest);
    case 'feed':
      return (await import('./feed-command.js')).feedCommand(rest);
    case 'data':
      return (await import('./data-command.js')).dataCommand(rest);
    case 'worker':
      return (await import('./worker-command.js')).workerCommand(rest);
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(`tickflow ${(await import('./version.js')).tickflowVersion()}\n`);
      return 0;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`tickflow: unknown command '${command}'\n${USAGE}\n`);
      return 2;
  }
}

if (!isMainThread && (workerData as { tickflowWorker?: string } | null)?.tickflowWorker === 'optimize') {
  // A worker of `optimize --workers N` (the CLI file is its script): it answers its parent, it runs no command.
  void import('./optimize-worker.js').then((m) => m.runOptimizeWorker());
} else {
  guardStdio();
  runMain();
}

function runMain(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (isClosedPipe(err)) {
        // The reader of stdout went away (`… | head`): it has what it wanted.
        process.exitCode = EXIT.ok;
      } else if (isUserError(err)) {
        process.exitCode = EXIT.usage;
        // A module stuck in its top-level await may hold timers or sockets that would keep the process alive.
        const exitNow = (err as { exitNow?: boolean }).exitNow === true;
        process.stderr.write(`tickflow: ${describeError(err)}\n`, () => (exitNow ? process.exit(EXIT.usage) : undefined));
      } else {
        process.stderr.write(`tickflow: internal error: ${err instanceof Error ? (err.stack ?? err.message) : describeError(err)}\n`);
        process.exitCode = EXIT.internal;
      }
    },
  );
}
