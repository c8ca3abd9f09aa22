// IPv6 through one relay, with real traffic in namespaces that have IPv6: a global group
// in, another out, from a sender whose address the relay has no route back to; and a
// receiver nobody here wrote (socat) taking the relayed stream.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chain, Lab, rootSkipReason, type Chain } from '../helpers/netns.js';
import { startRelay } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { perfect, runScenario } from '../helpers/scenario.js';
import { runGen } from '../helpers/traffic.js';

const skip = rootSkipReason();
const socatMissing = spawnSync('sh', ['-c', 'command -v socat']).status !== 0 && 'needs socat (apt install socat)';
/** Outside every prefix the relay knows, and it has no default route. */
const SENDER = '2001:db8:99::7';

/** The chain with IPv6, the sender renumbered to SENDER. */
async function unroutableSender(lab: Lab): Promise<Chain> {
  const net = await chain(lab, { ipv6: true });
  await net.src.ns.ip('-6', 'addr', 'del', `${net.src.address6}/64`, 'dev', 'eth0');
  await net.src.ns.ip('-6', 'addr', 'add', `${SENDER}/64`, 'dev', 'eth0', 'nodad');
  return net;
}

t.test('IPv6: 100,000 datagrams of 1,024 B at 50,000/s from ff0e::1:1 to ff0e::2:2 all arrive, counters equal to the receiver, from a source the relay cannot route back to', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await unroutableSender(lab);
  const back = await net.relay.run('ip', ['-6', 'route', 'get', SENDER]);
  t.not(back.exitCode, 0, `the relay has no route back to the sender: ${back.stderr.trim()}`);
  const COUNT = 100_000;
  const outcome = await runScenario({
    relay: net.relay,
    // Source-specific: the rule takes only SENDER's datagrams, so every one counted came
    // from the address the relay cannot route back to.
    rules: [rule('v6', `in0 [ff0e::1:1]:5000 from ${SENDER}`, 'out0 [ff0e::2:2]:5000')],
    sinks: [{ ns: net.rx.ns, options: { group: 'ff0e::2:2', port: 5000, interface: 'eth0', expect: COUNT, expectPerStream: COUNT, idleTimeout: 3, rcvbuf: 64 << 20 } }],
    gen: { ns: net.src.ns, options: { group: 'ff0e::1:1', port: 5000, interface: 'eth0', count: COUNT, rate: 50_000, size: 1024 } },
  });
  t.equal(outcome.gen.sent, COUNT, outcome.gen.stderr);
  const sink = outcome.sinks[0];
  t.match(sink, perfect(COUNT), 'every datagram, once, in order, intact');
  t.equal(sink?.socket_drops, 0);
  const rules = outcome.counters.rules;
  const key = `in0|ff0e::1:1|5000|${SENDER}`;
  t.same(Object.keys(rules), [key], 'the rule is keyed by canonical IPv6 text');
  const counters = rules[key];
  t.equal(counters?.packets, sink?.received, 'the rule counted what the receiver got');
  t.equal(counters?.bytes, sink?.bytes);
  t.match(counters?.outputs['out0|ff0e::2:2|5000|1|-'], { packets: sink?.received, bytes: sink?.bytes, errors: 0, drops: 0, too_big: 0 });
  t.match(outcome.counters.worker, { matched: COUNT, ring_drops: 0, bad_udp_checksum: 0, ipv6: 0 });
  await outcome.relay.close();
});

t.test('a receiver nobody here wrote (socat UDP6-RECV) gets the relayed IPv6 stream, byte for byte', { skip: skip || socatMissing }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab, { ipv6: true });
  const relay = await startRelay(net.relay, { workers: 1 });
  await relay.apply(rule('v6', 'in0 [ff0e::1:1]:5000', 'out0 [ff0e::2:2]:6000'));
  const COUNT = 2_000;
  const SIZE = 700;
  // socat writes each datagram's payload to stdout; wc counts the bytes. It stops after
  // 2 s without a datagram (-T).
  const socat = net.rx.ns.spawn('sh', ['-c', 'socat -u -T 2 UDP6-RECV:6000,ipv6-join-group="[ff0e::2:2]:eth0" STDOUT | wc -c'], { timeoutMs: 60_000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const joined = await net.rx.ns.run('cat', ['/proc/net/igmp6']);
  t.match(joined.stdout, /eth0\s+ff0e0000000000000000000000020002/, 'socat joined the group on eth0');
  const gen = await runGen(net.src.ns, { group: 'ff0e::1:1', port: 5000, interface: 'eth0', count: COUNT, rate: 5_000, size: SIZE });
  t.equal(gen.sent, COUNT);
  const result = await socat;
  t.equal(Number(result.stdout.trim()), COUNT * SIZE, `socat received ${COUNT} × ${SIZE} bytes`);
  const counters = (await relay.counters()).rules['in0|ff0e::1:1|5000|*'];
  t.match(counters?.outputs['out0|ff0e::2:2|6000|1|-'], { packets: COUNT, errors: 0, drops: 0 });
  await relay.close();
});
