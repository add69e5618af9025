#!/usr/bin/env node
/**
 * The `keysmith` command (package bin, `npm run keysmith -- <command>`): serve, keygen,
 * fingerprint. Exit codes: 0 success, 1 failure, 2 wrong usage.
 */
import { runServe } from '../server/serve-command.ts';
import { processIo, UsageError, type CliIo } from './cli-io.ts';
import { FINGERPRINT_HELP, runFingerprint } from './fingerprint-command.ts';
import { KEYGEN_HELP, runKeygen } from './keygen-command.ts';

const HELP = `Usage: keysmith <command> [options]

Commands:
  serve                       run the Keysmith web app and API (see: keysmith serve --help)
  keygen --out PATH [...]     make an ed25519 key pair, as ssh-keygen -t ed25519
  fingerprint [-v] FILE       print key fingerprints, as ssh-keygen -l [-v] -f FILE
  help [COMMAND]              show this help, or a command's

Run "keysmith COMMAND --help" for a command's options.
`;

/** Runs one command line; returns the exit code. */
async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        io.stderr(HELP);
        return 2;
      case 'help':
      case '--help':
      case '-h': {
        const topic = rest[0];
        if (topic === 'keygen') io.stdout(KEYGEN_HELP);
        else if (topic === 'fingerprint') io.stdout(FINGERPRINT_HELP);
        else if (topic === 'serve') return await runServe(['--help']);
        else io.stdout(HELP);
        return 0;
      }
      case 'serve':
        return await runServe(rest);
      case 'keygen':
        return await runKeygen(rest, io);
      case 'fingerprint':
        return await runFingerprint(rest, io);
      default:
        io.stderr(
          `keysmith: unknown command "${command}". Run "keysmith --help" for the commands.\n`,
        );
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(
        `keysmith ${error.command}: ${error.message}. Run "keysmith ${error.command} --help".\n`,
      );
      return 2;
    }
    io.stderr(`keysmith ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2), processIo);
