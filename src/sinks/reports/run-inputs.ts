import { z } from 'zod';
import { version as packageVersion } from '../../../package.json';
import { parseOrThrow } from '../../core/problems.js';

/** tickflow's own version, for the report's inputs. */
export const TICKFLOW_VERSION: string = packageVersion;

/**
 * What a run was made of, as the caller knows it (the CLI: its flags and config file). The data's spans are not
 * here: the tearsheet measures them from the candles themselves.
 */
export const RunInputsSchema = z.strictObject({
  /** The candle files, one per symbol. */
  files: z.array(z.strictObject({ path: z.string().min(1), symbol: z.string().min(1), interval: z.string().min(1) })).default([]),
  /** Each strategy and the module it came from (null: built in, e.g. the demo's). */
  strategies: z.array(z.strictObject({ name: z.string().min(1), file: z.string().min(1).nullable() })).default([]),
  /** The effective configuration (JSON-safe). */
  config: z.record(z.string(), z.unknown()).default({}),
  /** Where the config came from (a file path), if anywhere. */
  configFile: z.string().min(1).nullable().default(null),
  version: z.string().min(1).default(TICKFLOW_VERSION),
});
export type RunInputs = z.output<typeof RunInputsSchema>;
export type RunInputsInput = z.input<typeof RunInputsSchema>;

/** Validates the caller's inputs; a problem names the field and what was expected. */
export function resolveRunInputs(input: RunInputsInput = {}): RunInputs {
  return parseOrThrow(RunInputsSchema, input, 'report inputs', (line) => new TypeError(line));
}
