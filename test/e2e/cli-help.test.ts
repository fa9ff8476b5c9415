import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// Every command's --help names each flag of its usage lines again in the text below them, with what it does.

const COMMANDS = [['backtest'], ['walker'], ['optimize'], ['walk-forward'], ['generate'], ['live'], ['feed'], ['data', 'download'], ['data', 'list'], ['data', 'import'], ['data', 'export'], ['worker']];

/** The usage block: the `usage:` line and the indented lines continuing it. */
function split(help: string): { usage: string; rest: string } {
  const lines = help.split('\n');
  let end = 1;
  while (end < lines.length && /^\s+(\[|--|tickflow|\S+ …)/.test(lines[end]!) && !/^\s+--\S+\s{2,}/.test(lines[end]!)) end++;
  return { usage: lines.slice(0, end).join('\n'), rest: lines.slice(end).join('\n') };
}

describe('--help explains every flag', () => {
  it.each(COMMANDS.map((c) => [c.join(' '), c] as const))('%s', (_, command) => {
    const r = runCli([...command, '--help']);
    expect(r.code).toBe(0);
    const { usage, rest } = split(r.stdout);
    const flags = new Set([...usage.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));
    expect(flags.size).toBeGreaterThan(0);
    const unexplained = [...flags, '--help'].filter((f) => !new RegExp(`${f}(?![a-z-])`).test(rest));
    expect(unexplained).toEqual([]);
  });
});
