// When the kernel refuses an input's wider filter, the rules it should have let in get
// no traffic: they must read as `error` with the kernel's reason, never as `active`,
// while the rules the old filter already served keep relaying. A later filter that fits
// clears the error. The refusal is provoked for real: net.core.optmem_max (per network
// namespace on this kernel) caps the memory a socket may spend on its filter.
import { release } from 'node:os';
import t from 'tap';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay, type RuleStatusReply } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { perfect } from '../helpers/scenario.js';
import { runGen, startSink } from '../helpers/traffic.js';

// Before Linux 6.9 the setting is global: changing it would touch the host.
function optmemSkipReason(): string | false {
  const [major = 0, minor = 0] = release().split('.').map(Number);
  return major > 6 || (major === 6 && minor >= 9) ? false : `net.core.optmem_max is per network namespace only from Linux 6.9 (this is ${release()})`;
}
const skip = rootSkipReason() || optmemSkipReason();
// Room for the drop-all filter and a filter of a few destinations, not for 80.
const OPTMEM_MAX = 3072;
const MANY = 80;

const first = rule('first', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000');
const extra = (i: number) => rule(`extra-${i}`, `in0 239.1.2.${i + 1}:5000`, `out0 239.2.3.${i + 1}:5000`);

function states(status: RuleStatusReply[]): Record<string, string> {
  return Object.fromEntries(status.map((r) => [r.key, r.state]));
}

t.test('rules a refused filter would have let in read as error and active again once a filter fits', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  await net.relay.sysctl({ 'net.core.optmem_max': OPTMEM_MAX });
  const relay = await startRelay(net.relay);

  const started = await relay.apply(first);
  t.same(states(started), { 'in0|239.1.1.1|5000|*': 'active' }, 'one rule fits the small filter budget');

  const crowded = await relay.apply(first, ...Array.from({ length: MANY }, (_, i) => extra(i)));
  const refused = crowded.filter((r) => r.key !== 'in0|239.1.1.1|5000|*');
  t.equal(refused.length, MANY);
  t.ok(refused.every((r) => r.state === 'error'), 'every rule the wider filter was for is in error');
  t.match(refused[0]?.error, /^attaching the ingress filter: Cannot allocate memory/, 'with the kernel\'s reason');
  t.equal(states(crowded)['in0|239.1.1.1|5000|*'], 'active', 'the rule the old filter serves stays active');

  const sink = await startSink(net.rx.ns, { group: '239.2.2.2', port: 5000, expect: 2_000, expectPerStream: 2_000, idleTimeout: 3 });
  await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: 2_000, rate: 5_000, size: 200 });
  t.match(await sink.report, perfect(2_000), 'and it still relays every datagram');

  const relieved = await relay.apply(first, extra(0));
  t.same(
    states(relieved),
    { 'in0|239.1.1.1|5000|*': 'active', 'in0|239.1.2.1|5000|*': 'active' },
    'a filter that fits again clears the error',
  );
  t.equal(relieved.find((r) => r.key === 'in0|239.1.2.1|5000|*')?.error, '');
  await relay.close();
});
