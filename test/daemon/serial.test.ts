// Reloads run one at a time; asks during a run fold into one more run with the newest ask.
import t from 'tap';
import { Serial } from '../../src/daemon/serial.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

t.test('asks during a run are served by one more run, with the newest ask', async (t) => {
  const runs: string[] = [];
  const first = gate();
  const serial = new Serial<string>(async (value) => {
    runs.push(`start ${value}`);
    if (value === 'a') await first.promise;
    runs.push(`end ${value}`);
  });
  const a = serial.request('a');
  const b = serial.request('b');
  const c = serial.request('c');
  t.equal(b, a, 'every caller waits for the same runs');
  t.equal(c, a);
  first.open();
  await c;
  t.same(runs, ['start a', 'end a', 'start c', 'end c'], 'b was folded into the run for c');
  await serial.request('d');
  t.same(runs.slice(4), ['start d', 'end d'], 'a later ask starts a run of its own');
});

t.test('idle resolves at once when nothing runs, and after the runs when something does', async (t) => {
  const order: string[] = [];
  const held = gate();
  const serial = new Serial<number>(async () => {
    await held.promise;
    order.push('run');
  });
  await serial.idle();
  order.push('idle before');
  void serial.request(1);
  const idle = serial.idle().then(() => order.push('idle after'));
  held.open();
  await idle;
  t.same(order, ['idle before', 'run', 'idle after']);
});

t.test('a run that fails rejects its callers and leaves the next ask free to run', async (t) => {
  let fail = true;
  const serial = new Serial<number>(async () => {
    if (fail) throw new Error('broken');
  });
  await t.rejects(serial.request(1), /broken/);
  fail = false;
  await t.resolves(serial.request(2));
});
