#!/usr/bin/env node
/**
 * The `keysmith` command (package bin, `npm run keysmith -- <command>`): serve, keygen,
 * fingerprint. Exit codes: 0 success, 1 failure, 2 wrong usage.
 */
import { setFlagsFromString } from 'node:v8';
import { processIo, UsageError, type CliIo } from './cli-io.ts';

// Each command's module is imported only when that command runs: a long-running `serve` then
// holds none of keygen's or fingerprint's code (and the crypto behind them) in memory.
const serveCommand = () => import('./serve-command.ts');
const keygenCommand = () => import('./keygen-command.ts');
const fingerprintCommand = () => import('./fingerprint-command.ts');

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
        if (topic === 'keygen') io.stdout((await keygenCommand()).KEYGEN_HELP);
        else if (topic === 'fingerprint') io.stdout((await fingerprintCommand()).FINGERPRINT_HELP);
        else if (topic === 'serve') return await (await serveCommand()).runServe(['--help']);
        else io.stdout(HELP);
        return 0;
      }
      case 'serve':
        // V8's throughput defaults let the heap and young generation grow far past what stays
        // alive after the first read of a large authorized_keys; these keep the server near its
        // live size. Set before the server's modules load, so every way of starting it gets them.
        setFlagsFromString('--optimize-for-size --semi-space-growth-factor=1');
        return await (await serveCommand()).runServe(rest);
      case 'keygen':
        return await (await keygenCommand()).runKeygen(rest, io);
      case 'fingerprint':
        return await (await fingerprintCommand()).runFingerprint(rest, io);
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
