// `mcr demo`: mcr's main job, live, on a machine with no multicast network. It builds
// private network namespaces (a sender the relay's kernel will not route, a relay, two
// receiver segments), starts mcrd, drives traffic with mcr-gen, shows `mcr stats`, adds
// a fan-out output by editing the rules file while traffic flows, and prints what every
// receiver got. Bounded in time; everything it built is removed on every exit path.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Lab } from '../netns/lab.js';
import type { Netns } from '../netns/namespace.js';
import { demoNetwork } from '../netns/topologies.js';
import { EXIT_FAILURE, EXIT_NOPERM, EXIT_OK, EXIT_USAGE } from '../product.js';
import { locateTool } from '../tools/locate.js';
import type { Io } from './io.js';
import { runStats } from './stats.js';

const MCRD = fileURLToPath(new URL('../../bin/mcrd.js', import.meta.url));
const INPUT = { group: '239.10.0.1', port: 5000 };
const OUTPUTS = [
  { iface: 'out1', group: '239.20.1.1' },
  { iface: 'out2', group: '239.20.2.1' },
];

interface SinkReport {
  received: number;
  lost: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  datagrams: number;
  streams: { received: number; first_seq: number | null; last_seq: number | null }[];
}

function rulesFile(dir: string, outputs: number): string {
  const lines = OUTPUTS.slice(0, outputs).map((o) => `  { interface = "${o.iface}", group = "${o.group}", port = ${INPUT.port} },`);
  return [
    '# mcr demo rules: one camera feed from an unroutable sender, relayed to the receivers.',
    '[daemon]',
    `stats_file = "${join(dir, 'stats.json')}"`,
    'stats_interval = 1',
    '',
    '[[rule]]',
    'name = "camera-1"',
    `input = { interface = "in0", group = "${INPUT.group}", port = ${INPUT.port} }`,
    'outputs = [',
    ...lines,
    ']',
    '',
  ].join('\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a tool in a namespace and resolves with its last stdout line parsed as JSON. */
function jsonReport<T>(child: ChildProcess): Promise<T> {
  let last = '';
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.trim()) last = line;
  });
  return new Promise((resolve, reject) => {
    child.on('close', () => {
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`no report from ${child.spawnargs.join(' ')}`));
      }
    });
  });
}

/** Resolves when a line of the child's stream matches; rejects on timeout or exit. */
function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs: number): Promise<void> {
  const what = child.spawnargs.slice(3, 5).join(' ');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no line matched ${pattern} in ${timeoutMs} ms`)), timeoutMs);
    createInterface({ input: child[stream]! }).on('line', (line) => {
      if (pattern.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before printing ${pattern}`));
    });
  });
}

class Demo {
  private readonly dir = mkdtempSync(join(tmpdir(), 'mcr-demo-'));
  private lab: Lab | undefined;

  constructor(
    private readonly io: Io,
    private readonly seconds: number,
    private readonly rate: number,
  ) {}

  say(text = ''): void {
    this.io.out(text);
  }

  async run(): Promise<boolean> {
    const { io } = this;
    const count = this.seconds * this.rate;
    this.say('mcr demo: a multicast relay across a boundary the kernel will not route');
    this.say('');
    this.say('Building network namespaces: a sender at 198.51.100.7 (the relay has no route back');
    this.say('to it, and strict reverse-path filtering), the relay, and two receiver segments.');
    // One Lab per demo run, named mcrdemo-<pid>-<label>; cleanup() removes it all.
    this.lab = Lab.open({ prefix: 'mcrdemo', numbered: false });
    const net = await demoNetwork(this.lab);
    // The demo bounds itself (its deadline in runDemo): no per-process time limit.
    const start = (ns: Netns, command: string, args: string[]) => ns.spawn(command, args, { timeoutMs: 0 });
    const file = join(this.dir, 'mcr.toml');
    writeFileSync(file, rulesFile(this.dir, 1));
    this.say(`Rules file ${file}: camera-1, ${INPUT.group}:${INPUT.port} on in0 -> ${OUTPUTS[0]?.group} on out1.`);
    this.say('');

    const mcrd = start(net.relay, 'node', [MCRD, '-c', file, '--log-format', 'text']);
    createInterface({ input: mcrd.stdout! }).on('line', (line) => this.say(`  mcrd | ${line.replace(/^\S+ /, '')}`));
    createInterface({ input: mcrd.stderr! }).on('line', (line) => io.err(`  mcrd | ${line}`));
    await waitForLine(mcrd, 'stdout', /mcrd ready/, 20_000);

    const sink = locateTool('mcr-sink');
    const gen = locateTool('mcr-gen');
    const limit = String(this.seconds + 20);
    // Resolves once the sink listens, with its report to come (wrapped: an async function
    // returning a promise would wait for the report itself).
    const receive = async (ns: Netns, args: string[]): Promise<{ report: Promise<SinkReport> }> => {
      const child = start(ns, sink, [...args, '--port', String(INPUT.port), '--idle-timeout', '3', '--duration-limit', limit]);
      const report = jsonReport<SinkReport>(child);
      await waitForLine(child, 'stderr', /ready/, 10_000);
      return { report };
    };
    const firstReport = await receive(net.receivers[0], ['--group', OUTPUTS[0]?.group ?? '']);
    // The relay host's own kernel, asked for the same group: reverse-path filtering drops it.
    const kernelReport = await receive(net.relay, ['--group', INPUT.group, '--interface', 'in0']);

    this.say('');
    this.say(`Sending ${count} datagrams of 1,316 bytes (an MPEG-TS stream) at ${this.rate}/s for ${this.seconds} s.`);
    const sender = start(net.src, gen, ['--group', INPUT.group, '--port', String(INPUT.port), '--count', String(count), '--rate', String(this.rate), '--size', '1316', '--ttl', '8', '--duration-limit', limit]);
    const sent = jsonReport<{ sent: number }>(sender);

    await delay(Math.min(3_000, (this.seconds * 1000) / 3));
    this.say('');
    this.say('$ mcr stats');
    await runStats(['--file', join(this.dir, 'stats.json')], io);

    this.say('');
    this.say(`Editing the rules file while traffic flows: a second output, ${OUTPUTS[1]?.group} on out2 (fan-out).`);
    const secondReport = await receive(net.receivers[1], ['--group', OUTPUTS[1]?.group ?? '']);
    writeFileSync(file, rulesFile(this.dir, 2));
    await delay(Math.min(3_000, (this.seconds * 1000) / 3));
    this.say('');
    this.say('$ mcr stats --watch --count 2');
    await runStats(['--file', join(this.dir, 'stats.json'), '--watch', '--count', '2', '--interval', '1'], io);

    const total = (await sent).sent;
    const [first, second, local] = await Promise.all([firstReport.report, secondReport.report, kernelReport.report]);
    mcrd.kill('SIGTERM');
    await new Promise((resolve) => mcrd.on('close', resolve));
    return this.report(total, first, second, local);
  }

  private report(sent: number, first: SinkReport, second: SinkReport, local: SinkReport): boolean {
    const stream = second.streams[0];
    const window = stream && stream.first_seq !== null && stream.last_seq !== null ? stream.last_seq - stream.first_seq + 1 : 0;
    const lostAfterAdded = window - (stream?.received ?? 0);
    this.say('');
    this.say('Totals');
    this.say(`  sent by 198.51.100.7:                         ${sent}`);
    this.say(`  received by the relay host's kernel:          ${local.datagrams}   (dropped: the source fails the RPF check)`);
    this.say(`  receiver 1 (${OUTPUTS[0]?.group}, from the start):       ${first.received}   lost ${first.lost}, duplicated ${first.duplicated}, reordered ${first.reordered}, corrupted ${first.corrupted}`);
    this.say(
      `  receiver 2 (${OUTPUTS[1]?.group}, added live):          ${stream?.received ?? 0}   from datagram ${stream?.first_seq ?? '-'} on, lost ${lostAfterAdded}`,
    );
    const ok = first.received === sent && first.lost + first.duplicated + first.reordered + first.corrupted === 0 && (stream?.received ?? 0) > 0 && lostAfterAdded === 0 && local.datagrams === 0;
    this.say('');
    this.say(ok ? 'Demo passed: every datagram was relayed across the boundary, and the output added live got every datagram from the moment it was added.' : 'Demo FAILED: see the totals above.');
    return ok;
  }

  cleanup(): void {
    this.lab?.destroySync();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const DEMO_USAGE = `usage: mcr demo [--seconds 10] [--rate 2000]
Builds private network namespaces (a sender, a relay, two receiver segments),
relays a test stream through mcrd, adds an output by editing the rules file while
it flows, and reports what every receiver got. Needs root; leaves nothing behind.
  --seconds S   how long the stream runs, 3 to 300 (default 10)
  --rate R      datagrams per second, 1 to 100000 (default 2000)`;

export async function runDemo(args: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { seconds: { type: 'string' }, rate: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    io.err(`mcr demo: ${(error as Error).message}\n${DEMO_USAGE.split('\n')[0]}`);
    return EXIT_USAGE;
  }
  if (values.help) {
    io.out(DEMO_USAGE);
    return EXIT_OK;
  }
  const seconds = Number(values.seconds ?? 10);
  const rate = Number(values.rate ?? 2000);
  if (!(seconds >= 3 && seconds <= 300) || !(rate >= 1 && rate <= 100_000)) {
    io.err('mcr demo: --seconds must be 3 to 300 and --rate 1 to 100000');
    return EXIT_USAGE;
  }
  if (process.getuid?.() !== 0) {
    io.err('mcr demo builds network namespaces: run it as root');
    return EXIT_NOPERM;
  }
  const demo = new Demo(io, seconds, rate);
  const abort = () => {
    demo.cleanup();
    process.exit(130);
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  // Bounded: whatever happens, the demo ends and cleans up.
  const deadline = setTimeout(() => {
    io.err('mcr demo: took too long; stopping');
    abort();
  }, (seconds + 60) * 1000);
  try {
    return (await demo.run()) ? EXIT_OK : EXIT_FAILURE;
  } catch (error) {
    io.err(`mcr demo: ${(error as Error).message}`);
    return EXIT_FAILURE;
  } finally {
    clearTimeout(deadline);
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
    demo.cleanup();
  }
}
