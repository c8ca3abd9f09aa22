// The stats file that fails on every interval is logged as it changes, not as it
// repeats: when it starts failing, when it fails differently, every ten minutes while
// it lasts, and when it is written again.
import t from 'tap';
import { WriteFailures } from '../../src/daemon/write-log.js';

function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

const WHAT = 'the stats file /run/mcr/stats.json';
const erofs = (n: number) => errnoError('EROFS', `EROFS: read-only file system, open '/run/mcr/.stats.json.7.${n}.tmp'`);

t.test('one line when writing starts failing, none while it fails the same way, one when it is written again', async (t) => {
  let now = Date.UTC(2026, 0, 1);
  const failures = new WriteFailures(600_000, () => now);
  t.equal(failures.written(WHAT), null, 'a file that never failed: nothing to say');
  const lines = [];
  for (let attempt = 1; attempt <= 50; attempt += 1) {
    lines.push(failures.failed(WHAT, erofs(attempt)));
    now += 1_000;
  }
  t.same(lines[0], {
    level: 'error',
    message: `cannot write ${WHAT}: EROFS: read-only file system, open '/run/mcr/.stats.json.7.1.tmp'; forwarding goes on`,
  });
  t.same(lines.slice(1).filter(Boolean), [], 'the same error again is not news, whatever temporary file it names');
  t.same(failures.written(WHAT), { level: 'info', message: `${WHAT} is written again, after 50 failed attempts` });
  t.equal(failures.written(WHAT), null, 'said once');
  t.match(failures.failed(WHAT, erofs(51)), { level: 'error', message: /^cannot write / }, 'a new failure later is news again');
});

t.test('another error code, and a long outage, are logged again', async (t) => {
  let now = Date.UTC(2026, 0, 1);
  const failures = new WriteFailures(600_000, () => now);
  failures.failed(WHAT, erofs(1));
  now += 1_000;
  t.same(failures.failed(WHAT, errnoError('ENOSPC', 'ENOSPC: no space left on device, write')), {
    level: 'error',
    message: `still cannot write ${WHAT}: ENOSPC: no space left on device, write (2 attempts failed since 2026-01-01T00:00:00.000Z)`,
  });
  now += 599_000;
  t.equal(failures.failed(WHAT, errnoError('ENOSPC', 'again')), null, 'within ten minutes of the last line: quiet');
  now += 1_000;
  t.match(failures.failed(WHAT, errnoError('ENOSPC', 'again')), { message: /^still cannot write .*\(4 attempts failed since/ }, 'then a reminder');
  t.match(failures.failed('the Prometheus file /x.prom', erofs(9)), { message: /^cannot write the Prometheus file/ }, 'each file on its own');
  t.match(failures.failed(WHAT, 'not an Error'), { message: /^still cannot write .*: not an Error/ }, 'a thrown non-error has its text as its code');
});
