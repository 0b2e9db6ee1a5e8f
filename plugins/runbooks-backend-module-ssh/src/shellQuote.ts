import { InputError } from '@backstage/errors';

/**
 * Quotes one argument for a POSIX shell. SSH hands the remote side a command
 * line, never an argument vector, so each argument is single-quoted: no
 * metacharacter in a parameter can start another command.
 */
export function shellQuote(arg: string): string {
  if (arg.includes('\0'))
    throw new InputError('A command argument holds a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** An argument vector as a remote command line. */
export function toCommandLine(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}
