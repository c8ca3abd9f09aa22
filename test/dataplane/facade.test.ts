// The data plane facade's own logic, with a recording stand-in for the native class.
// The real data plane is exercised with real traffic in test/dataplane/*.netns.test.ts.
import t from 'tap';
import { readCounters, type CounterLayout } from '../../src/counters.js';
import { allowedCpus, DataPlane, placeWorkers, workerCpus } from '../../src/dataplane.js';
import { diff } from '../../src/diff.js';
import type { LinkEvent, NativeBinding, NativeOptions, NativeOutput, NativeRule, NativeRuleStatus } from '../../src/native/binding-types.js';
import { rule, ruleSetOf } from '../helpers/ruleset.js';

function fakeBinding(failOn = new Set<string>(), describe: () => NativeRuleStatus[] = () => []) {
  const calls: string[] = [];
  let options: NativeOptions | undefined;
  let emit: ((event: LinkEvent) => void) | undefined;
  const sent: NativeOutput[] = [];
  const binding = {
    version: () => ({ addon: '4', napi: 8, cplusplus: 201703 }),
    DataPlane: class {
      constructor(o: NativeOptions, onLink: (event: LinkEvent) => void) {
        options = o;
        emit = onLink;
      }
      addRule(r: NativeRule) {
        calls.push(`add ${r.key} -> ${r.outputs.map((o) => o.key).join(', ')}`);
        sent.push(...r.outputs);
        if (failOn.has(r.key)) throw new Error(`cannot add ${r.key}`);
      }
      replaceOutputs(key: string, outputs: NativeOutput[]) {
        calls.push(`replace ${key} -> ${outputs.map((o) => o.key).join(', ')}`);
        sent.push(...outputs);
      }
      removeRule(key: string) {
        calls.push(`remove ${key}`);
      }
      beginBatch() {
        calls.push('begin');
      }
      endBatch() {
        calls.push('end');
      }
      refresh() {
        calls.push('refresh');
      }
      describe() {
        return describe();
      }
      counters() {
        return new ArrayBuffer(8 * 40);
      }
      info() {
        return { backend: 'syscalls', fallbackReason: '', workers: 1, blockWords: 40, maxRules: 2, workerCounters: ['rx'], ruleCounters: ['packets', 'bytes'], outputCounters: ['packets', 'bytes', 'errors', 'drops'] };
      }
      close() {
        calls.push('close');
      }
    },
  } as unknown as NativeBinding;
  return { binding, calls, sent, options: () => options, emit: (event: LinkEvent) => emit?.(event) };
}

const SETTINGS = { workers: 'auto' as const, cpus: null, backend: 'auto' as const };

t.test('a plan is applied in one batch: removals, then output changes, then additions', async (t) => {
  const fake = fakeBinding();
  const plane = DataPlane.open(SETTINGS, fake.binding, [0]);
  t.teardown(() => plane.close());
  const before = ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000'), rule('b', 'eth0 239.1.1.2:5000', 'eth1 239.2.2.2:5000'));
  const after = ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth2 10.0.0.9:6000'), rule('c', 'eth0 239.1.1.3:5000', 'eth1 239.2.2.3:5000'));
  t.same(plane.apply(diff(before, after)), []);
  t.same(fake.calls, [
    'begin',
    'remove eth0|239.1.1.2|5000|*',
    'replace eth0|239.1.1.1|5000|* -> eth1|239.2.2.1|5000|1|-, eth2|10.0.0.9|6000|64|-',
    'add eth0|239.1.1.3|5000|* -> eth1|239.2.2.3|5000|1|-',
    'end',
  ]);
});

t.test('a rule the data plane refuses is reported and the others still apply', async (t) => {
  const fake = fakeBinding(new Set(['eth0|239.1.1.1|5000|*']));
  const plane = DataPlane.open(SETTINGS, fake.binding, [0]);
  t.teardown(() => plane.close());
  const next = ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000'), rule('b', 'eth0 239.1.1.2:5000', 'eth1 239.2.2.2:5000'));
  const errors = plane.apply(diff(ruleSetOf(''), next));
  t.same(errors, [{ key: 'eth0|239.1.1.1|5000|*', message: 'cannot add eth0|239.1.1.1|5000|*' }]);
  t.same(fake.calls.map((call) => call.split(' ')[0]), ['begin', 'add', 'add', 'end'], 'the batch is closed despite the failure');
});

t.test('link events are coalesced into one refresh, then reported', async (t) => {
  const fake = fakeBinding();
  const plane = DataPlane.open(SETTINGS, fake.binding, [0]);
  t.teardown(() => plane.close());
  const seen: string[] = [];
  const done = new Promise<void>((resolve) => {
    plane.on('link', (event) => {
      seen.push(event.name);
      if (seen.length === 3) resolve();
    });
  });
  for (const name of ['a', 'b', 'c']) fake.emit({ kind: 'link', ifindex: 1, name, removed: false, up: true, running: true });
  await done;
  t.same(seen, ['a', 'b', 'c']);
  t.same(fake.calls.filter((call) => call === 'refresh'), ['refresh']);
});

t.test('address and neighbour events refresh the data plane too, but only link events are reported', async (t) => {
  const fake = fakeBinding();
  const plane = DataPlane.open(SETTINGS, fake.binding, [0]);
  t.teardown(() => plane.close());
  const seen: string[] = [];
  plane.on('link', (event) => seen.push(`${event.name} ${event.state}`));
  fake.emit({ kind: 'neighbour', ifindex: 2, name: 'out0', removed: false, up: true, running: true });
  fake.emit({ kind: 'address', ifindex: 2, name: 'out0', removed: false, up: true, running: true });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(fake.calls.filter((call) => call === 'refresh'), ['refresh'], 'one refresh for both');
  t.same(seen, [], 'no interface went up or down');
  fake.emit({ kind: 'link', ifindex: 2, name: 'out0', removed: false, up: true, running: false });
  fake.emit({ kind: 'neighbour', ifindex: 2, name: 'out0', removed: false, up: true, running: true });
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(fake.calls.filter((call) => call === 'refresh'), ['refresh', 'refresh']);
  t.same(seen, ['out0 down']);
});

t.test('while an output is resolving its next hop, the data plane is refreshed every second, and no more once it is resolved', async (t) => {
  let resolving = true;
  const status = (): NativeRuleStatus[] => [
    { key: 'r', slot: 0, state: 'active', error: '', ifindex: 2, outputs: [{ key: 'o', slot: 0, state: resolving ? 'resolving' : 'active', error: '', egress: 'frame' }] },
  ];
  const fake = fakeBinding(new Set(), status);
  const plane = DataPlane.open(SETTINGS, fake.binding, [0]);
  t.teardown(() => plane.close());
  const started = Date.now();
  plane.apply(diff(ruleSetOf(''), ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 10.0.0.9:5000'))));
  t.same(plane.status()[0]?.outputs, [{ key: 'o', state: 'resolving', error: '', egress: 'frame' }], 'resolving and its kind reach the domain status');
  await new Promise((resolve) => setTimeout(resolve, 2_300));
  const refreshes = fake.calls.filter((call) => call === 'refresh').length;
  t.equal(refreshes, 2, `two refreshes in ${Date.now() - started} ms`);
  resolving = false;
  await new Promise((resolve) => setTimeout(resolve, 2_200));
  t.equal(fake.calls.filter((call) => call === 'refresh').length, 3, 'the refresh that found it resolved was the last');
  t.equal(plane.status()[0]?.outputs[0]?.state, 'active');
});

t.test("outputs reach the addon with their egress, DSCP and source policy", async (t) => {
  const fake = fakeBinding();
  const plane = DataPlane.open(SETTINGS, fake.binding, [0]);
  t.teardown(() => plane.close());
  const next = ruleSetOf(
    '[daemon]',
    'egress = "socket"',
    rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth1 239.2.2.2:5000 from preserve dscp 46 egress frame', 'eth1 10.0.0.9:5000 from 10.0.0.1 egress auto'),
  );
  plane.apply(diff(ruleSetOf(''), next));
  t.same(fake.sent.map((o) => [o.key, o.egress, o.dscp, o.sourceAddress]), [
    ['eth1|239.2.2.1|5000|1|-|egress=socket', 'socket', 0, null],
    ['eth1|239.2.2.2|5000|1|preserve|egress=frame|dscp=46', 'frame', 46, 'preserve'],
    ['eth1|10.0.0.9|5000|64|10.0.0.1', 'auto', 0, '10.0.0.1'],
  ]);
});

t.test('workers: one per allowed CPU, pinned, unless the file says otherwise', async (t) => {
  t.same(placeWorkers(SETTINGS, [0, 1]), { workers: 2, cpus: [0, 1] });
  t.same(placeWorkers({ ...SETTINGS, workers: 1 }, [0, 1]), { workers: 1, cpus: [0] });
  t.same(placeWorkers({ ...SETTINGS, cpus: [3, 5] }, [0, 1]), { workers: 2, cpus: [3, 5] });
  t.same(placeWorkers({ ...SETTINGS, workers: 4, cpus: [1] }, [0, 1]), { workers: 4, cpus: [1] });
  const fake = fakeBinding();
  const plane = DataPlane.open({ ...SETTINGS, backend: 'syscalls' }, fake.binding, [0, 1]);
  t.same(plane.info.cpus, [0], "the addon's info says 1 worker: its CPU");
  plane.close();
  t.same(fake.options(), { workers: 2, cpus: [0, 1], backend: 'syscalls' });
  t.same(workerCpus(4, [1]), [1, 1, 1, 1], 'workers share the CPUs in turn');
  t.same(workerCpus(3, [0, 1]), [0, 1, 0]);
  t.same(workerCpus(2, []), [], 'not pinned');
});

t.test('the allowed CPUs are read from the kernel affinity list', async (t) => {
  t.same(allowedCpus('Name:\tnode\nCpus_allowed_list:\t0-3,6,8-9\n'), [0, 1, 2, 3, 6, 8, 9]);
  t.same(allowedCpus('Cpus_allowed_list:\t1\n'), [1]);
  t.ok(allowedCpus().length >= 1);
});

t.test('counters are summed over workers and found by slot', async (t) => {
  const layout: CounterLayout = {
    workers: 2,
    blockWords: 1 + 2 * 2 + 2 * 4,
    maxRules: 2,
    maxOutputs: 2,
    maxInputs: 0,
    workerCounters: ['rx'],
    ruleCounters: ['packets', 'bytes'],
    outputCounters: ['packets', 'bytes', 'errors', 'drops'],
    pathCounters: [],
  };
  const words = new BigUint64Array(layout.blockWords * 2);
  // worker 0: rx 5, rule slot 1 = (3, 300), output slot 0 = (3, 300, 0, 1)
  words.set([5n, 0n, 0n, 3n, 300n, 3n, 300n, 0n, 1n], 0);
  // worker 1: rx 7, rule slot 1 = (4, 400), output slot 0 = (4, 400, 2, 0)
  words.set([7n, 0n, 0n, 4n, 400n, 4n, 400n, 2n, 0n], layout.blockWords);
  const snapshot = readCounters(words.buffer, layout, [{ key: 'r', slot: 1, outputs: [{ key: 'o', slot: 0 }] }]);
  t.same(snapshot.worker, { rx: 12 });
  t.same(snapshot.perWorker, [{ rx: 5 }, { rx: 7 }]);
  t.same(snapshot.rules.get('r')?.counters, { packets: 7, bytes: 700 });
  t.same(snapshot.rules.get('r')?.outputs.get('o'), { packets: 7, bytes: 700, errors: 2, drops: 1 });
});
