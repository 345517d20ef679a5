/** An error meant for the operator: printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface ApiErrorDetail {
  path: string;
  message: string;
}

/** The platform answered with the contract's error shape (or something that is not JSON). */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly apiMessage: string,
    readonly details: ApiErrorDetail[] = [],
    readonly request = '',
  ) {
    const where = request ? ` (${request})` : '';
    const detail = details.length
      ? `: ${details.map((entry) => (entry.path ? `${entry.path}: ${entry.message}` : entry.message)).join('; ')}`
      : '';
    super(`API error ${status} ${code}: ${apiMessage}${detail}${where}`);
    this.name = 'ApiError';
  }
}

/** The one line the CLI prints for any failure; a stack only with OUTROUTE_DEBUG set. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  const message = error instanceof Error ? error.message : String(error);
  return { message: message.split('\n')[0] ?? 'unknown error', exitCode: 1 };
}
