// The bash completion both packages install (packaging/completion/mcr.bash): sourced
// into a plain bash (no bash-completion package), each case sets COMP_WORDS and
// COMP_CWORD as bash does for a command line and calls the completion function, as
// bash's programmable completion would; the test compares the candidates offered.
import t from 'tap';
import { execa } from 'execa';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { REPO } from './helpers/build.js';

const SCRIPT = join(REPO, 'packaging/completion/mcr.bash');

/** The candidates bash would offer for words, the last being the one under the cursor. */
async function complete(words: string[], cwd: string): Promise<string[]> {
  const [command = ''] = words;
  const script = [
    'source "$1"; shift',
    'COMP_WORDS=("$@")',
    'COMP_CWORD=$(($# - 1))',
    'COMP_LINE="$*"',
    'COMP_POINT=${#COMP_LINE}',
    // The function `complete -p` names for the command, as bash would call it.
    'function=$(complete -p "$1" | sed -n "s/.*-F \\([^ ]*\\) .*/\\1/p")',
    '"$function" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const result = await execa('bash', ['--norc', '--noprofile', '-c', script, 'complete', SCRIPT, ...words], { cwd, reject: false });
  if (result.exitCode !== 0) throw new Error(`bash failed completing ${command}: ${result.stderr}`);
  return result.stdout.split('\n').filter(Boolean).sort();
}

t.test('sourcing the completion registers functions for mcr and mcrd and needs nothing else', async (t) => {
  const result = await execa('bash', ['--norc', '--noprofile', '-c', 'source "$1" && complete -p mcr mcrd', 'x', SCRIPT]);
  t.equal(result.stdout, 'complete -F _mcr mcr\ncomplete -F _mcrd mcrd');
  t.equal(result.stderr, '', 'without a message: no helper from the bash-completion package is needed');
});

t.test('mcr completes its commands, their options, fixed option values, rules files and interfaces', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(join(dir, 'relay.toml'), '');
  writeFileSync(join(dir, 'notes.txt'), '');
  mkdirSync(join(dir, 'sites'));
  const interfaces = readdirSync('/sys/class/net').sort();
  const cases: [string[], string[]][] = [
    [['mcr', ''], ['check', 'demo', 'gen', 'help', 'sink', 'stats', 'version']],
    [['mcr', 'st'], ['stats']],
    [['mcr', '--'], ['--help', '--version']],
    [['mcr', 'check', '--'], ['--diff', '--format', '--help']],
    [['mcr', 'check', '--format', ''], ['json', 'text']],
    [['mcr', 'check', '--format', '=', 'j'], ['json']],
    [['mcr', 'check', '--format', '='], ['json', 'text']],
    [['mcr', 'check', ''], ['relay.toml', 'sites']],
    [['mcr', 'check', '--diff', 'relay.toml', 'si'], ['sites']],
    [['mcr', 'stats', '--file', ''], ['notes.txt', 'relay.toml', 'sites']],
    [['mcr', 'stats', '--w'], ['--watch']],
    [['mcr', 'stats', '--interval', ''], []],
    [['mcr', 'demo', '--'], ['--rate', '--seconds']],
    [['mcr', 'gen', '--interface', ''], interfaces],
    [['mcr', 'gen', '--rate', ''], []],
    [['mcr', 'gen', '--du'], ['--duration-limit']],
    [['mcr', 'sink', '--exp'], ['--expect', '--expect-per-stream']],
    [['mcr', 'sink', '--interface', 'lo'], interfaces.filter((name) => name.startsWith('lo'))],
    [['mcr', 'version', ''], []],
  ];
  for (const [words, expected] of cases) t.same(await complete(words, dir), expected, `"${words.join(' ')}" offers ${expected.join(' ') || 'nothing'}`);
});

t.test('mcrd completes its options, --log-format values and --config files', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(join(dir, 'relay.toml'), '');
  writeFileSync(join(dir, 'notes.txt'), '');
  const cases: [string[], string[]][] = [
    [['mcrd', '--'], ['--allow-insecure-rules-file', '--config', '--help', '--log-format', '--version']],
    [['mcrd', '--log-format', ''], ['auto', 'journal', 'json', 'text']],
    [['mcrd', '--log-format', '=', 'jo'], ['journal']],
    [['mcrd', '--config', ''], ['relay.toml']],
    [['mcrd', '-c', 'rel'], ['relay.toml']],
  ];
  for (const [words, expected] of cases) t.same(await complete(words, dir), expected, `"${words.join(' ')}" offers ${expected.join(' ') || 'nothing'}`);
});
