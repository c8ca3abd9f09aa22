// Reloads do not leak: every reload here creates and destroys a ring (a rule on a second
// input interface), sockets and a group membership, and mcrd's resident memory after
// 500 reloads is within 10% of what it was after 50. V8 grows and trims its heap as it
// likes, so one sample swings by several percent; a leak raises the floor, so each
// figure is the lowest RSS seen over the ten reloads before it.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';

const skip = rootSkipReason();

function rssKib(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

t.test('mcrd RSS after 500 reloads is within 10% of after 50', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const file = join(dir, 'mcr.toml');
  const config = (step: number) => [
    ...daemonSection(dir, ['stats_interval = 5']),
    rule('main', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000'),
    // On odd steps a rule reads out0 too: its ring, membership and socket come and go.
    ...(step % 2 === 1 ? [rule(`back-${step}`, `out0 239.3.3.${(step % 250) + 1}:5000`, 'in0 239.4.4.4:5000')] : []),
  ];
  await writeConfig(file, config(0));
  // V8 grows its young generation in steps of megabytes as it sees fit; fixing its size
  // leaves what the test is after: memory that reloads retain.
  const mcrd = await startMcrd(net.relay, dir, { NODE_OPTIONS: '--max-semi-space-size=1' });
  // Transient descriptors (a stats file being written) come and go: floors for both.
  const floors: Record<number, number> = { 50: Infinity, 500: Infinity };
  const fds: Record<number, number> = { 50: Infinity, 500: Infinity };
  for (let step = 1; step <= 500; step += 1) {
    const seen = mcrd.logs().length;
    await writeConfig(file, config(step));
    mcrd.signal('SIGHUP');
    await mcrd.waitForLog(new RegExp(`generation ${step + 1}:`), 10_000, seen);
    for (const checkpoint of [50, 500]) {
      if (step > checkpoint - 10 && step <= checkpoint) {
        floors[checkpoint] = Math.min(floors[checkpoint]!, rssKib(mcrd.pid));
        fds[checkpoint] = Math.min(fds[checkpoint]!, openFds(mcrd.pid));
      }
    }
  }
  const [at50, at500] = [floors[50]!, floors[500]!];
  t.comment(`RSS after 50 reloads: ${at50} KiB, after 500: ${at500} KiB; open fds ${fds[50]} -> ${fds[500]}`);
  t.ok(Math.abs(at500 - at50) <= at50 * 0.1, `RSS ${at50} KiB -> ${at500} KiB`);
  t.equal(fds[500], fds[50], 'open file descriptors are flat');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
});
