/** Where a command writes; main.ts passes the process streams, tests may pass collectors. */
export interface CliIo {
  stdout: (chunk: string | Uint8Array) => void;
  stderr: (text: string) => void;
}

/** A mistake in how the command was called: main.ts prints it with a help hint, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The process streams as a CliIo. */
export const processIo: CliIo = {
  stdout: (chunk) => process.stdout.write(chunk),
  stderr: (text) => process.stderr.write(text),
};
