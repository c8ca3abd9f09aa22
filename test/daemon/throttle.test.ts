// The one log throttle: bursts per window, a changed signature heard at once, and
// episodes that end with their count.
import t from 'tap';
import { Throttle } from '../../src/daemon/throttle.js';

t.test('by default one occurrence per episode is let through, and each key is its own episode', async (t) => {
  const throttle = new Throttle({ now: () => 0 });
  t.same(throttle.admit('a'), { log: true, suppressed: 0 });
  t.same(throttle.admit('a'), { log: false, suppressed: 0 });
  t.same(throttle.admit('b'), { log: true, suppressed: 0 });
  t.same(throttle.counts(), { a: 2, b: 1 });
});

t.test('a new signature is let through at once, and says how many were held back', async (t) => {
  let now = 1000;
  const throttle = new Throttle({ now: () => now });
  throttle.admit('f', 'EROFS');
  throttle.admit('f', 'EROFS');
  throttle.admit('f', 'EROFS');
  now = 5000;
  t.same(throttle.admit('f', 'ENOSPC'), { log: true, suppressed: 2 });
  t.same(throttle.episode('f'), { since: 1000, count: 4 }, 'the episode goes on across signatures');
});

t.test('an ended episode hands back its count, and the next occurrence starts a new one', async (t) => {
  let now = 0;
  const throttle = new Throttle({ now: () => now });
  t.equal(throttle.end('x'), undefined, 'nothing to end');
  throttle.admit('x');
  throttle.admit('x');
  now = 10;
  t.same(throttle.end('x'), { since: 0, count: 2 });
  t.equal(throttle.episode('x'), undefined);
  t.same(throttle.admit('x'), { log: true, suppressed: 0 });
  t.same(throttle.episode('x'), { since: 10, count: 1 });
});

t.test('a window lets a burst through again once it has passed', async (t) => {
  let now = 0;
  const throttle = new Throttle({ burst: 1, windowMs: 600_000, now: () => now });
  throttle.admit('r');
  now = 599_999;
  t.same(throttle.admit('r'), { log: false, suppressed: 0 }, 'within the window: quiet');
  now = 600_000;
  t.same(throttle.admit('r'), { log: true, suppressed: 1 }, 'a reminder when it has passed');
});
