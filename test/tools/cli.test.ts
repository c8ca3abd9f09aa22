// `mcr gen` and `mcr sink` (src/cli/gen.ts, sink.ts): they run the native tools with
// the arguments unchanged, pass their output through line by line, return their exit
// codes, hand SIGTERM on, and say where they looked when a tool is not built.
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runGen } from '../../src/cli/gen.js';
import { runSink } from '../../src/cli/sink.js';
import { locateTool, toolCandidates, ToolMissingError } from '../../src/tools/locate.js';
import { runTool } from '../../src/tools/run-tool.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { runGen as genIn } from '../helpers/traffic.js';
import { tempDir } from '../helpers/cli.js';

/** Node flags that load TypeScript the way tap does, without tap's coverage hooks. */
const TS_LOADER = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) }, out, err };
}

t.test('mcr gen --help prints the tool’s usage on stdout, exit 0', async (t) => {
  const { io, out, err } = captureIo();
  t.equal(await runGen(['--help'], io), 0);
  t.match(out[0], /^usage: mcr-gen --group ADDRESS --port P/);
  t.ok(out.some((line) => line.includes('--duration-limit SECONDS')));
  t.same(err, []);
});

t.test('mcr sink with a bad option passes the tool’s message and exit 64 through', async (t) => {
  const { io, out, err } = captureIo();
  t.equal(await runSink(['--group', '239.1.1.1', '--port', '99999'], io), 64);
  t.same(out, []);
  t.same(err, ['mcr-sink: --port must be from 1 to 65535, got 99999', '(see mcr-sink --help)']);
});

t.test('a tool that is not built: exit 69, every path tried, how to build it', async (t) => {
  const { io, err } = captureIo();
  t.equal(await runTool('mcr-gen', [], io, { MCR_TOOLS_DIR: '/nonexistent/tools' }), 69);
  t.same(err, [
    'mcr: the traffic tool mcr-gen was not found; tried:\n' +
      '  /nonexistent/tools/mcr-gen: not found\n' +
      'build it with `npm ci` (or `npx node-gyp rebuild`), or set MCR_TOOLS_DIR to its directory',
  ]);
  t.throws(() => locateTool('mcr-sink', { MCR_TOOLS_DIR: '/nonexistent/tools' }), ToolMissingError);
});

t.test('the tools are looked for in build/Release then build/Debug', async (t) => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  t.same(toolCandidates('mcr-inject', {}), [`${root}build/Release/mcr-inject`, `${root}build/Debug/mcr-inject`]);
  t.equal(locateTool('mcr-inject', {}), `${root}build/Release/mcr-inject`);
});

t.test('a file that exists but cannot be executed is reported as such', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'mcr-gen'), 'not a program', { mode: 0o644 });
  const error = t.throws(() => locateTool('mcr-gen', { MCR_TOOLS_DIR: dir })) as unknown as ToolMissingError;
  t.same(error.attempts, [{ path: join(dir, 'mcr-gen'), reason: 'not executable (EACCES)' }]);
});

t.test('mcr sink inside a namespace: SIGTERM is handed on and the JSON report comes out', { skip: rootSkipReason() }, async (t) => {
  const topo = await chain(Lab.create(t));
  const entry = new URL('../../src/cli/sink.ts', import.meta.url).href;
  const code = `
    import { runSink } from ${JSON.stringify(entry)};
    const io = { out: (l) => process.stdout.write(l + '\\n'), err: (l) => process.stderr.write(l + '\\n') };
    process.exitCode = await runSink(process.argv.slice(1), io);`;
  const args = [...TS_LOADER, '--input-type=module', '-e', code, '--', '--group', '239.4.4.4', '--port', '8000', '--interface', 'in0', '--idle-timeout', '30'];
  const child = topo.relay.spawn(process.execPath, args, { timeoutMs: 60_000 });
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('mcr-sink: ready') && resolve());
    void child.then((result) => reject(new Error(`exited before ready: ${result.stderr}`)));
  });
  await genIn(topo.src.ns, { group: '239.4.4.4', port: 8000, interface: 'eth0', count: 25, rate: 0, size: 64 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  child.kill('SIGTERM');
  const result = await child;
  t.equal(result.exitCode, 0);
  const report = JSON.parse(result.stdout) as { received: number; stopped: string };
  t.match(report, { received: 25, stopped: 'signal' });
});
