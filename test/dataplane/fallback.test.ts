// Where io_uring is disabled (kernel.io_uring_disabled, a seccomp policy, RHEL 9's
// default), "auto" falls back to plain system calls, says why, and still relays; a
// forced io_uring fails with an error naming the fix.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { perfect, runScenario } from '../helpers/scenario.js';

const SYSCTL = '/proc/sys/kernel/io_uring_disabled';
const skip = rootSkipReason() || (!existsSync(SYSCTL) && 'this kernel has no kernel.io_uring_disabled (before 6.6)');
const COUNT = 20_000;

/** Disables io_uring for new rings on the whole machine until the test ends. */
function disableIoUring(t: { teardown(fn: () => void): void }): void {
  const before = readFileSync(SYSCTL, 'utf8').trim();
  t.teardown(() => writeFileSync(SYSCTL, before));
  process.once('exit', () => writeFileSync(SYSCTL, before));
  writeFileSync(SYSCTL, '2');
}

t.test('with io_uring disabled by the kernel, "auto" falls back to syscalls, says why, and relays everything', { skip }, async (t) => {
  disableIoUring(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const outcome = await runScenario({
    relay: net.relay,
    relayOptions: { backend: 'auto' },
    rules: [rule('fallback', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000')],
    sinks: [{ ns: net.rx.ns, options: { group: '239.2.2.2', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 } }],
    gen: { ns: net.src.ns, options: { group: '239.1.1.1', port: 5000, count: COUNT, rate: 20_000, size: 1024 } },
  });
  t.equal(outcome.relay.info.backend, 'syscalls');
  t.match(outcome.relay.info.fallbackReason, 'io_uring is not available: Operation not permitted (kernel.io_uring_disabled, or a seccomp policy)');
  t.match(outcome.sinks[0], perfect(COUNT));
  await outcome.relay.close();
});

t.test('with io_uring disabled, forcing backend = "io_uring" fails and says what to change', { skip }, async (t) => {
  disableIoUring(t);
  const lab = Lab.create(t);
  const [ns] = await lab.namespaces('relay');
  await t.rejects(
    startRelay(ns!, { backend: 'io_uring' }),
    /io_uring is not available: Operation not permitted .*; set backend = "syscalls" \(or "auto"\) in \[daemon\]/,
  );
});
