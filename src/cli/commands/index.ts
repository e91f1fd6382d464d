/** The registry of `tritscope` subcommands. Each lives in its own module. */
import type { Command } from './types';

export const commands: Command[] = [];

export function registerCommand(c: Command): void {
  if (commands.some((x) => x.name === c.name)) throw new Error(`duplicate command ${c.name}`);
  commands.push(c);
}
