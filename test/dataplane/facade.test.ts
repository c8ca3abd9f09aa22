// The data plane facade's own logic, with a recording stand-in for the native class.
// The real data plane is exercised with real traffic in test/dataplane/*.netns.test.ts.
import t from 'tap';
import { readCounters, type CounterLayout } from '../../src/counters.js';
import { allowedCpus, DataPlane, placeWorkers } from '../../src/dataplane.js';
import { diff } from '../../src/diff.js';
import type { LinkEvent, NativeBinding, NativeOptions, NativeRule } from '../../src/native/binding-types.js';
import { rule, ruleSetOf } from '../helpers/ruleset.js';

function fakeBinding(failOn = new Set<string>()) {
  const calls: string[] = [];
  let options: NativeOptions | undefined;
  let emit: ((event: LinkEvent) => void) | undefined;
  const binding = {
    version: () => ({ addon: '4', napi: 8, cplusplus: 201703 }),
    DataPlane: class {
      constructor(o: NativeOptions, onLink: (event: LinkEvent) => void) {
        options = o;
        emit = onLink;
      }
      addRule(r: NativeRule) {
        calls.push(`add ${r.key} -> ${r.outputs.map((o) => o.key).join(', ')}`);
        if (failOn.has(r.key)) throw new Error(`cannot add ${r.key}`);
      }
      replaceOutputs(key: string, outputs: { key: string }[]) {
        calls.push(`replace ${key} -> ${outputs.map((o) => o.key).join(', ')}`);
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
        return [];
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
  return { binding, calls, options: () => options, emit: (event: LinkEvent) => emit?.(event) };
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

t.test('workers: one per allowed CPU, pinned, unless the file says otherwise', async (t) => {
  t.same(placeWorkers(SETTINGS, [0, 1]), { workers: 2, cpus: [0, 1] });
  t.same(placeWorkers({ ...SETTINGS, workers: 1 }, [0, 1]), { workers: 1, cpus: [0] });
  t.same(placeWorkers({ ...SETTINGS, cpus: [3, 5] }, [0, 1]), { workers: 2, cpus: [3, 5] });
  t.same(placeWorkers({ ...SETTINGS, workers: 4, cpus: [1] }, [0, 1]), { workers: 4, cpus: [1] });
  const fake = fakeBinding();
  DataPlane.open({ ...SETTINGS, backend: 'syscalls' }, fake.binding, [0, 1]).close();
  t.same(fake.options(), { workers: 2, cpus: [0, 1], backend: 'syscalls' });
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
    workerCounters: ['rx'],
    ruleCounters: ['packets', 'bytes'],
    outputCounters: ['packets', 'bytes', 'errors', 'drops'],
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
