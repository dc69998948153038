/**
 * Errors a user can act on. The CLI prints their message without a stack trace and exits non-zero;
 * anything else is a bug and is printed in full.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Data that is missing, unreadable or not in the expected format. */
export class DataError extends UserError {
  constructor(message: string) {
    super(message, 3);
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
export const REGRESSION_EXIT_CODE = 6;
