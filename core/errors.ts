import { EXIT_CODES } from './exit-codes.ts';

/**
 * Errors a user can act on. The CLI prints their message without a stack trace and exits non-zero;
 * anything else is a bug and is printed in full.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_CODES.usage.code,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/**
 * Control characters (other than newline and tab) and bidirectional overrides, shown as \u escapes: a DataError's
 * message can quote bytes from a hostile data file, and it is printed straight to the user's terminal.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Data that is missing, unreadable or not in the expected format. */
export class DataError extends UserError {
  constructor(message: string) {
    super(
      message.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      EXIT_CODES.data.code,
    );
    this.name = 'DataError';
  }
}

/** The data is simply not there (as opposed to present but broken): `--benchmark all` skips such benchmarks. */
export class MissingDataError extends DataError {
  constructor(message: string) {
    super(message);
    this.name = 'MissingDataError';
  }
}

/** `compare --fail-on-regression`: the candidate is significantly worse than a baseline somewhere. */
export const REGRESSION_EXIT_CODE = EXIT_CODES.regression.code;

/**
 * The judge's endpoint cannot work as configured (nothing answers at the URL, DNS, TLS, a refused key, an unknown
 * model, a malformed URL, a missing key): exit 7, before any item is stored as failed.
 */
export class EndpointError extends UserError {
  constructor(message: string) {
    super(message, EXIT_CODES.endpoint.code);
    this.name = 'EndpointError';
  }
}

/**
 * The run store cannot be used: damaged, not a SQLite file, written by a newer schema, read-only, disk full
 * (harness/store-guard.ts says which, and what to do). Exit 8, and nothing is written into a damaged store.
 */
export class StoreError extends UserError {
  constructor(message: string) {
    super(message, EXIT_CODES.store.code);
    this.name = 'StoreError';
  }
}
