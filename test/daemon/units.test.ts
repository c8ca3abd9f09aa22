// The daemon's small pure parts, in-process.
import t from 'tap';
import { PassThrough } from 'node:stream';
import { hasNetRaw } from '../../src/daemon/capabilities.js';
import { effectiveRuleSet, planIsEmpty } from '../../src/daemon/effective.js';
import { createLogger } from '../../src/daemon/log.js';
import { createNotifier } from '../../src/daemon/systemd.js';
import { Throttle } from '../../src/daemon/throttle.js';
import { diff } from '../../src/diff.js';
import { rule, ruleSetOf } from '../helpers/ruleset.js';

t.test('the rate limiter lets a burst through, then counts, then reports the count', async (t) => {
  let now = 0;
  const limiter = new Throttle({ burst: 2, windowMs: 1000, now: () => now });
  t.same([limiter.admit('x'), limiter.admit('x'), limiter.admit('x'), limiter.admit('x')].map((r) => r.log), [true, true, false, false]);
  t.same(limiter.admit('other'), { log: true, suppressed: 0 }, 'keys are separate');
  now = 1000;
  t.same(limiter.admit('x'), { log: true, suppressed: 2 }, 'a new window reports what was suppressed');
});

t.test('a rule the data plane refused is not believed to run', async (t) => {
  const a = rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000');
  const a2 = rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000', 'eth2 239.3.3.1:5000');
  const b = rule('b', 'eth0 239.1.1.2:5000', 'eth1 239.2.2.2:5000');
  const before = ruleSetOf(a);
  const next = ruleSetOf(a2, b);
  t.equal(effectiveRuleSet(before, next, []), next, 'nothing refused: the next set runs');
  const running = effectiveRuleSet(before, next, ['eth0|239.1.1.1|5000|*', 'eth0|239.1.1.2|5000|*']);
  t.same(running.rules.map((r) => [r.name, r.outputs.length]), [['a', 1]], 'the refused change keeps the old rule; the refused addition is left out');
  t.equal(diff(running, next).added.length, 1, 'so the next reload tries the addition again');
  t.equal(diff(running, next).changed.length, 1, 'and the change');
});

t.test('an empty plan is one with no flow, label or setting change', async (t) => {
  const a = ruleSetOf(rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000'));
  t.ok(planIsEmpty(diff(a, a)));
  t.notOk(planIsEmpty(diff(a, ruleSetOf(rule('renamed', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000')))), 'a rename is applied');
  t.notOk(planIsEmpty(diff(a, ruleSetOf('[daemon]', 'log_level = "debug"', rule('a', 'eth0 239.1.1.1:5000', 'eth1 239.2.2.1:5000')))), 'a setting is applied');
});

t.test('CAP_NET_RAW is read from the effective capability set', async (t) => {
  t.ok(hasNetRaw('CapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n'), 'root');
  t.ok(hasNetRaw('CapEff:\t0000000000002000\n'), 'CAP_NET_RAW alone (bit 13)');
  t.notOk(hasNetRaw('CapEff:\t0000000000001000\n'), 'another capability');
  t.notOk(hasNetRaw('CapEff:\t0000000000000000\n'), 'none');
  t.notOk(hasNetRaw('Name:\tnode\n'), 'no CapEff line');
});

t.test('systemd notifications: nothing without NOTIFY_SOCKET; the protocol lines with it', async (t) => {
  const sent: [string, string][] = [];
  const send = (socket: string, message: string) => sent.push([socket, message]);
  const silent = createNotifier(send, {});
  silent.ready('x');
  silent.stopping();
  t.same(sent, [], 'no socket, no datagrams');
  const notifier = createNotifier(send, { NOTIFY_SOCKET: '@mcr-test' });
  notifier.ready('2/2 rules active');
  notifier.reloading();
  notifier.status('busy');
  notifier.stopping();
  notifier.close();
  t.same(sent.map(([socket]) => socket), ['@mcr-test', '@mcr-test', '@mcr-test', '@mcr-test']);
  t.equal(sent[0]?.[1], 'READY=1\nSTATUS=2/2 rules active');
  t.match(sent[1]?.[1], /^RELOADING=1\nMONOTONIC_USEC=\d+$/);
  t.equal(sent[2]?.[1], 'STATUS=busy');
  t.equal(sent[3]?.[1], 'STOPPING=1');
  const errors: string[] = [];
  createNotifier(() => {
    throw new Error('gone');
  }, { NOTIFY_SOCKET: '/x' }, (message) => errors.push(message)).ready('x');
  t.same(errors, ['cannot notify systemd: gone'], 'a failed notification is reported, not thrown');
});

async function logged(format: 'journal' | 'text' | 'json', write: (log: ReturnType<typeof createLogger>) => void): Promise<string[]> {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const log = createLogger({ format, level: 'info', stream });
  write(log);
  await log.flush();
  return chunks.join('').split('\n').filter(Boolean);
}

t.test('log lines: syslog priorities for the journal, timestamps for text, objects for JSON', async (t) => {
  const write = (log: ReturnType<typeof createLogger>) => {
    log.error('broken');
    log.warn('careful');
    log.info('fine');
    log.debug('hidden at info');
    log.setLevel('debug');
    log.debug('shown at debug');
  };
  t.same(await logged('journal', write), ['<3>broken', '<4>careful', '<6>fine', '<7>shown at debug']);
  const text = await logged('text', write);
  t.equal(text.length, 4);
  t.match(text[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z error: broken$/);
  const json = (await logged('json', write)).map((line) => JSON.parse(line) as { level: string; message: string });
  t.same(json.map((entry) => [entry.level, entry.message]), [['error', 'broken'], ['warn', 'careful'], ['info', 'fine'], ['debug', 'shown at debug']]);
});

t.test('repeated errors are rate-limited in the log', async (t) => {
  const lines = await logged('journal', (log) => {
    for (let i = 0; i < 20; i += 1) log.limited('error', 'same', `failure ${i}`);
  });
  t.same(lines, ['<3>failure 0', '<3>failure 1', '<3>failure 2', '<3>failure 3', '<3>failure 4']);
});
