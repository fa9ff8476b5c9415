import { DownloadFlagsSchema, ExportFlagsSchema, ImportFlagsSchema, ListFlagsSchema, readDataFlags } from './data-args.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { UserError } from './user-error.js';

const DATA_DIR_HELP = `--data DIR: the candle store (an LMDB directory; default ./data in the working directory). Read it in a run with
    tickflow backtest|walker|optimize|walk-forward --data DIR --symbol SYM …
-h, --help: this text`;

export const DATA_USAGE = `usage: tickflow data <download|list|import|export> [options]   (tickflow data <subcommand> --help)

  download  candles from an exchange into the store (paged, rate-limited, retried, resumable)
  list      what the store holds: symbols, intervals, spans, candles, gaps, sizes
  import    a JSON or CSV candle file into the store
  export    stored candles to a JSON or CSV file
${DATA_DIR_HELP}`;

const DOWNLOAD_USAGE = `usage: tickflow data download --exchange ID --symbols SYM[,SYM2…] --since TIME [--until TIME] [--interval 1m]
                              [--data DIR] [--exchange-options FILE.json] [--no-progress]
--exchange ID: a ccxt exchange id (binance, kraken, coinbase, …)
--symbols SYM,SYM2: the markets to download (ccxt symbols, e.g. BTC/USDT,ETH/USDT; the flag may be repeated)
--interval I (default 1m): 1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w
--since TIME: the open time of the first candle; --until TIME: candles opening before it (default: every candle
    closed by now). TIME is a date (2024-01-01), a UTC date-time (2024-01-01T12:00) or epoch ms
--exchange-options FILE.json: options for ccxt's exchange constructor (e.g. {"timeout": 30000}, API keys, urls)
--no-progress: no progress bar (one bar per symbol is drawn on stderr only when it is a terminal)
${DATA_DIR_HELP}
Each page is stored with the range it covers before the next is asked for: run the same command again after an
interruption and it fetches only what is missing (no gaps, no duplicates). Slots the exchange confirms empty are
recorded as gaps (no trades) and not asked for again. Failed requests are retried with backoff.
${EXIT_CODES_HELP}`;

const LIST_USAGE = `usage: tickflow data list [--data DIR] [--symbol SYM …] [--json]
--symbol SYM: only these symbols (repeatable)
--json: the same as JSON (first and last open time, candles, gaps, never-fetched ranges, bytes)
${DATA_DIR_HELP}
Gaps are runs of empty slots inside downloaded or imported ranges (no trades); "Not fetched" are parts of the span
never downloaded (a download fills them).
${EXIT_CODES_HELP}`;

const IMPORT_USAGE = `usage: tickflow data import FILE --symbol SYM [--interval I] [--format json|csv] [--data DIR]
FILE: a JSON array of [ts, o, h, l, c, v] rows or of {timestamp, open, high, low, close, volume} objects, or a CSV
    with a header row (as --candles reads them); every candle is checked before anything is written
--symbol SYM: the symbol the candles belong to
--interval I: the candles' interval, checked against the data (default: inferred from it)
--format json|csv: default from the extension, else from the first character
${DATA_DIR_HELP}
Candles already stored at the same times are replaced; the file's span counts as fetched (a missing slot is a gap).
${EXIT_CODES_HELP}`;

const EXPORT_USAGE = `usage: tickflow data export --symbol SYM --out FILE [--interval I] [--from TIME] [--to TIME] [--data DIR]
--symbol SYM: the series to export
--out FILE: .csv writes CSV with a header row, anything else a JSON array of [ts, o, h, l, c, v] rows; - is stdout (JSON)
--interval I: which interval, when the symbol has several
--from TIME, --to TIME: candles opening at or after --from and before --to (a date, a UTC date-time or epoch ms)
${DATA_DIR_HELP}
${EXIT_CODES_HELP}`;

/** `tickflow data <subcommand> …`: returns the exit code. Each subcommand's work is loaded only when it runs. */
export async function dataCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const help = (usage: string) => {
    process.stdout.write(`${usage}\n`);
    return EXIT.ok;
  };
  switch (sub) {
    case 'download': {
      const flags = readDataFlags(DownloadFlagsSchema, rest, {
        exchange: { type: 'string' },
        'exchange-options': { type: 'string' },
        symbols: { type: 'string', multiple: true },
        interval: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        'no-progress': { type: 'boolean' },
      });
      if (flags.help) return help(DOWNLOAD_USAGE);
      await (await import('./data-download.js')).dataDownload(flags);
      return EXIT.ok;
    }
    case 'list': {
      const flags = readDataFlags(ListFlagsSchema, rest, { symbol: { type: 'string', multiple: true }, json: { type: 'boolean' } });
      if (flags.help) return help(LIST_USAGE);
      await (await import('./data-list.js')).dataList(flags);
      return EXIT.ok;
    }
    case 'import': {
      const flags = readDataFlags(ImportFlagsSchema, rest, { symbol: { type: 'string' }, interval: { type: 'string' }, format: { type: 'string' } }, 1);
      if (flags.help) return help(IMPORT_USAGE);
      await (await import('./data-import.js')).dataImport(flags);
      return EXIT.ok;
    }
    case 'export': {
      const flags = readDataFlags(ExportFlagsSchema, rest, {
        symbol: { type: 'string' },
        interval: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
      });
      if (flags.help) return help(EXPORT_USAGE);
      await (await import('./data-export.js')).dataExport(flags);
      return EXIT.ok;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${DATA_USAGE}\n`);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UserError(`data: unknown subcommand '${sub}' (expected download, list, import or export)`);
  }
}
