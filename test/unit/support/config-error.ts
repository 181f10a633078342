import { ConfigError } from '../../../src/core/config.js';

/** The ConfigError that `run` throws; fails the test, naming `input`, when it throws none. */
export function configError(run: () => unknown, input: string): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${input} was accepted`);
}
