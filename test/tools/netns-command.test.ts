// The process layer under the namespace builder (src/netns/command.ts), on plain local
// commands: output collected, input written, a time limit kept, a program that does not
// exist reported, and a running command usable both as a process and as a promise.
import t from 'tap';
import { once } from 'node:events';
import { runCommand, spawnCommand } from '../../src/netns/command.js';

t.test('a command that exits reports its code and output, one final newline removed', async (t) => {
  const result = await runCommand('sh', ['-c', 'printf "a\\nb\\n"; printf "warn\\n" >&2; exit 3']);
  t.same(result, { exitCode: 3, signal: undefined, stdout: 'a\nb', stderr: 'warn', timedOut: false });
});

t.test('input is written to stdin, which is then closed', async (t) => {
  const result = await runCommand('cat', [], { input: 'line 1\nline 2\n' });
  t.equal(result.exitCode, 0);
  t.equal(result.stdout, 'line 1\nline 2');
});

t.test('a command that outlives its time limit is stopped with SIGTERM and says so', async (t) => {
  const started = Date.now();
  const result = await runCommand('sleep', ['30'], { timeoutMs: 200 });
  t.match(result, { exitCode: undefined, signal: 'SIGTERM', timedOut: true });
  t.ok(Date.now() - started < 5_000, 'within the limit, not after the command');
});

t.test('a program that does not exist resolves with the reason, never rejects', async (t) => {
  const result = await runCommand('/nonexistent/mcr-no-such-program', []);
  t.equal(result.exitCode, undefined);
  t.equal(result.error?.message.includes('ENOENT'), true, String(result.error));
  t.match(result.stderr, /^\/nonexistent\/mcr-no-such-program: .*ENOENT/);
});

t.test('a running command streams its output as a process and resolves as a promise', async (t) => {
  const child = spawnCommand('sh', ['-c', 'echo first; read line; echo "got $line"']);
  t.type(child.pid, 'number');
  const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
  t.equal(chunk.toString(), 'first\n', 'seen while it runs');
  child.stdin.write('reply\n');
  const result = await child;
  t.equal(result.stdout, 'first\ngot reply', 'and collected in full at the end');
  const killed = spawnCommand('sleep', ['30']);
  killed.kill('SIGKILL');
  t.match(await killed, { exitCode: undefined, signal: 'SIGKILL', timedOut: false });
});
