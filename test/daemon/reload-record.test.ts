// The reload history: what each outcome records for the stats file and says in the log.
import t from 'tap';
import { ReloadRecord } from '../../src/daemon/reload-record.js';
import { diff } from '../../src/diff.js';
import { rule, ruleSetOf } from '../helpers/ruleset.js';

const AT = new Date('2026-01-01T00:00:00.000Z');
const empty = ruleSetOf('');
const one = ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000'));
const two = ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000'), rule('b', 'eth0 239.1.1.2:5000', 'eth1 239.2.2.2:5000'));

t.test('start-up is generation 1, recorded but not counted as a reload', async (t) => {
  const record = new ReloadRecord(diff(empty, one), [], () => AT);
  t.equal(record.generation, 1);
  t.same(record.counts, { ok: 0, failed: 0 });
  t.same(record.last, {
    at: '2026-01-01T00:00:00.000Z',
    trigger: 'start',
    ok: true,
    generation: 1,
    errors: [],
    added: 1,
    removed: 0,
    changed: 0,
    unchanged: 0,
    restarted: false,
    skipped: false,
  });
  const refused = new ReloadRecord(diff(empty, one), ['eth0|239.1.1.1|5000|*: no room'], () => AT);
  t.match(refused.last, { ok: false, errors: ['eth0|239.1.1.1|5000|*: no room'] }, 'a rule the data plane refused at start fails it');
});

t.test('an applied reload is a new generation and says what it did', async (t) => {
  const record = new ReloadRecord(diff(empty, one), [], () => AT);
  t.same(record.applied('sighup', diff(one, two), [], false), [
    { level: 'info', message: 'reload (sighup) applied, generation 2: 1 added, 0 removed, 0 changed, 1 unchanged' },
  ]);
  t.match(record.last, { trigger: 'sighup', ok: true, generation: 2, added: 1, unchanged: 1, restarted: false, skipped: false });
  record.applied('file', diff(two, one), ['k: refused'], true);
  t.match(record.last, { trigger: 'file', ok: false, generation: 3, removed: 1, errors: ['k: refused'], restarted: true });
  t.same(record.counts, { ok: 1, failed: 1 });
});

t.test('a refused reload keeps the generation and logs every error, then what keeps running', async (t) => {
  const record = new ReloadRecord(diff(empty, one), [], () => AT);
  t.same(record.refused('file', ['/etc/mcr.toml:3:1: bad', '/etc/mcr.toml:4:1: worse']), [
    { level: 'error', message: '/etc/mcr.toml:3:1: bad' },
    { level: 'error', message: '/etc/mcr.toml:4:1: worse' },
    { level: 'error', message: 'reload (file) refused; generation 1 keeps running' },
  ]);
  t.match(record.last, { ok: false, generation: 1, errors: ['/etc/mcr.toml:3:1: bad', '/etc/mcr.toml:4:1: worse'], added: 0 });
  t.same(record.counts, { ok: 0, failed: 1 });
});

t.test('a file that means what runs is skipped: counted as good, same generation', async (t) => {
  const record = new ReloadRecord(diff(empty, one), [], () => AT);
  t.same(record.skipped('sighup', diff(one, one)), [{ level: 'info', message: 'reload (sighup): the rules file means what runs; nothing to apply' }]);
  t.match(record.last, { ok: true, skipped: true, generation: 1, unchanged: 1 });
  t.same(record.counts, { ok: 1, failed: 0 });
});
