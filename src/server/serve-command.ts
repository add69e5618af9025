/**
 * `keysmith serve`: placeholder until the server lands (issue 3). Returns the exit code.
 */
export function runServe(argv: readonly string[]): Promise<number> {
  void argv;
  process.stderr.write('keysmith serve: the server is not built yet.\n');
  return Promise.resolve(1);
}
