import t from 'tap';
import { parseStats, StatsFormatError } from '../../src/stats/parse.js';
import { output, reload, rule, statsFile } from './fixtures.js';

const GOOD = statsFile({
  rules: [
    rule('cam', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000')]),
    rule('ssm', 'eth0 232.1.1.1:5000', [], { input: { interface: 'eth0', group: '232.1.1.1', port: 5000, source: '10.0.0.1' } }),
  ],
});

/** GOOD as JSON, changed by `edit`. */
function broken(edit: (data: any) => void): string {
  const data = JSON.parse(JSON.stringify(GOOD));
  edit(data);
  return JSON.stringify(data);
}

t.test('a stats file reads back as it was written', async (t) => {
  t.same(parseStats(JSON.stringify(GOOD)), GOOD);
  const noReload = statsFile({ config: { lastReload: null } });
  t.same(parseStats(JSON.stringify(noReload)), noReload, 'no reload yet');
  const failed = statsFile({ config: { lastReload: reload({ ok: false, errors: ['f:1:1: x'] }) } });
  t.same(parseStats(JSON.stringify(failed)), failed, 'a failed reload');
});

t.test('a file from an mcrd before output kinds and worker CPUs reads, with "" and []', async (t) => {
  const old = broken((d) => {
    delete d.daemon.cpus;
    delete d.rules[0].outputs[0].egress;
  });
  const parsed = parseStats(old);
  t.same(parsed.daemon.cpus, []);
  t.equal(parsed.rules[0]?.outputs[0]?.egress, '');
});

t.test('every output state reads back, resolving and down included', async (t) => {
  for (const state of ['active', 'pending', 'down', 'resolving', 'error'] as const) {
    const stats = statsFile({ rules: [rule('cam', 'eth0 239.1.1.1:5000', [output('eth1 239.2.1.1:5000', { state })])] });
    t.equal(parseStats(JSON.stringify(stats)).rules[0]?.outputs[0]?.state, state, state);
  }
});

t.test('anything else is refused with the place of the first wrong field', async (t) => {
  const cases: [string, string, string][] = [
    ['not JSON', '{"version": 1,', 'not valid JSON: '],
    ['an array', '[]', 'not a stats file: its top level must be an object (got [])'],
    ['no version', '{"time": "x"}', 'not a stats file: it has no "version" number'],
    ['a newer version', broken((d) => (d.version = 2)), 'stats version 2, but this mcr reads version 1; use the mcr that came with the running mcrd'],
    ['a bad time', broken((d) => (d.time = 'yesterday')), 'not a stats file: .time must be an ISO 8601 time (got "yesterday")'],
    ['a zero interval', broken((d) => (d.interval = 0)), 'not a stats file: .interval must be above 0 (got 0)'],
    ['no daemon', broken((d) => delete d.daemon), 'not a stats file: .daemon must be an object (missing)'],
    ['an unknown daemon state', broken((d) => (d.daemon.state = 'dreaming')), 'not a stats file: .daemon.state must be one of starting, running, reloading, stopping, stopped (got "dreaming")'],
    ['a pid as text', broken((d) => (d.daemon.pid = '4242')), 'not a stats file: .daemon.pid must be a number (got "4242")'],
    ['a reload trigger unknown', broken((d) => (d.config.lastReload.trigger = 'cron')), 'not a stats file: .config.lastReload.trigger must be one of start, sighup, file (got "cron")'],
    ['a reload ok as text', broken((d) => (d.config.lastReload.ok = 'yes')), 'not a stats file: .config.lastReload.ok must be true or false (got "yes")'],
    ['a reload error not text', broken((d) => (d.config.lastReload.errors = [1])), 'not a stats file: .config.lastReload.errors[0] must be a string (got 1)'],
    ['a counter as text', broken((d) => (d.totals.rx_frames = '1')), 'not a stats file: .totals.rx_frames must be a number (got "1")'],
    ['workers not a list', broken((d) => (d.workers = {})), 'not a stats file: .workers must be an array (got {})'],
    ['a worker counter infinite', broken((d) => (d.workers[1].matched = null)), 'not a stats file: .workers[1].matched must be a number (got null)'],
    ['an unknown rule state', broken((d) => (d.rules[0].state = 'on')), 'not a stats file: .rules[0].state must be one of active, pending, paused, disabled, error, stalled (got "on")'],
    ['a rule without input', broken((d) => delete d.rules[1].input), 'not a stats file: .rules[1].input must be an object (missing)'],
    ['a source neither text nor null', broken((d) => (d.rules[1].input.source = 7)), 'not a stats file: .rules[1].input.source must be a string (got 7)'],
    ['outputs missing', broken((d) => delete d.rules[0].outputs), 'not a stats file: .rules[0].outputs must be an array (missing)'],
    ['an unknown output state', broken((d) => (d.rules[0].outputs[0].state = 'paused')), 'not a stats file: .rules[0].outputs[0].state must be one of active, pending, down, resolving, error (got "paused")'],
    ['an unknown egress', broken((d) => (d.rules[0].outputs[0].egress = 'raw')), 'not a stats file: .rules[0].outputs[0].egress must be one of frame, socket,  (got "raw")'],
    ['a CPU that is not one', broken((d) => (d.daemon.cpus = [0, -1])), 'not a stats file: .daemon.cpus[1] must be a CPU number (got -1)'],
    ['output drops missing', broken((d) => delete d.rules[0].outputs[0].drops), 'not a stats file: .rules[0].outputs[0].drops must be a number (missing)'],
  ];
  for (const [name, text, message] of cases) {
    const error = t.throws(() => parseStats(text), StatsFormatError, name) as unknown as Error;
    if (message.endsWith(': ')) t.match(error.message, message, name);
    else t.equal(error.message, message, name);
  }
});
