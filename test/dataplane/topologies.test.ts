// The boundaries the kernel will not route across, crossed by the relay: a source that
// fails the reverse-path check, two isolated bridges, multicast to unicast and back.
import t from 'tap';
import { chain, dualBridge, Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { startRelay } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { perfect, runScenario } from '../helpers/scenario.js';
import { startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const COUNT = 20_000;

t.test('a source that fails the strict reverse-path check is still relayed in full', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  // Strict RPF, and the relay's route back to the source points out of the other leg:
  // the kernel drops the source's datagrams before any socket could see them.
  await net.relay.sysctl({ 'net.ipv4.conf.all.rp_filter': 1, 'net.ipv4.conf.in0.rp_filter': 1 });
  await net.relay.ip('route', 'add', `${net.src.address}/32`, 'dev', 'out0');
  // Proof that the kernel drops them: an ordinary receiver on the relay host gets none.
  const local = await startSink(net.relay, { group: '239.1.1.1', port: 5000, interface: 'in0', idleTimeout: 3 });
  const outcome = await runScenario({
    relay: net.relay,
    rules: [rule('rpf', 'in0 239.1.1.1:5000', 'out0 239.2.2.2:5000')],
    sinks: [{ ns: net.rx.ns, options: { group: '239.2.2.2', port: 5000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 } }],
    gen: { ns: net.src.ns, options: { group: '239.1.1.1', port: 5000, count: COUNT, rate: 20_000, size: 512 } },
  });
  t.equal((await local.report).datagrams, 0, 'the kernel delivered nothing to a local socket (RPF drop)');
  t.match(outcome.sinks[0], perfect(COUNT), 'the relay delivered everything');
  await outcome.relay.close();
});

t.test('two isolated bridges: everything sent behind one arrives behind the other', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await dualBridge(lab);
  const outcome = await runScenario({
    relay: net.relay,
    rules: [rule('bridges', 'in0 239.5.5.5:5004', 'out0 239.5.5.5:5004')],
    sinks: [{ ns: net.rx.ns, options: { group: '239.5.5.5', port: 5004, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 } }],
    gen: { ns: net.src.ns, options: { group: '239.5.5.5', port: 5004, count: COUNT, rate: 20_000, size: 1316 } },
  });
  t.match(outcome.sinks[0], perfect(COUNT));
  t.equal(outcome.counters.rules['in0|239.5.5.5|5004|*']?.packets, COUNT);
  await outcome.relay.close();
});

t.test('multicast to unicast: the group is delivered to a unicast receiver', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  const outcome = await runScenario({
    relay: net.relay,
    rules: [rule('to-unicast', 'in0 239.1.1.1:5000', `out0 ${net.rx.address}:7000`)],
    sinks: [{ ns: net.rx.ns, options: { group: net.rx.address, port: 7000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 } }],
    gen: { ns: net.src.ns, options: { group: '239.1.1.1', port: 5000, count: COUNT, rate: 20_000, size: 1024 } },
  });
  t.match(outcome.sinks[0], perfect(COUNT));
  t.match(outcome.counters.rules['in0|239.1.1.1|5000|*']?.outputs[`out0|${net.rx.address}|7000|64|-`], { packets: COUNT, errors: 0, drops: 0 });
  await outcome.relay.close();
});

/** The relay-side UDP socket connected to address:port, from /proc/net/udp. */
async function connectedSocket(ns: Netns, address: string, port: number) {
  const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, '0');
  // The kernel prints the address as the raw 32-bit word: little-endian bytes here.
  const remote = `${hex(Buffer.from(address.split('.').map(Number)).readUInt32LE(), 8)}:${hex(port, 4)}`;
  const { stdout } = await ns.run('cat', ['/proc/net/udp']);
  const fields = stdout.split('\n').map((line) => line.trim().split(/\s+/)).find((f) => f[2] === remote);
  if (!fields) throw new Error(`no UDP socket connected to ${address}:${port}`);
  return {
    localPort: parseInt(fields[1]!.split(':')[1]!, 16),
    queued: parseInt(fields[4]!.split(':')[1]!, 16),
    drops: Number(fields.at(-1)),
  };
}

t.test('what a unicast receiver sends back to a socket output is dropped, never queued', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  const relay = await startRelay(net.relay);
  // A socket output's own socket: a frame output has none to queue anything.
  await relay.apply(rule('to-unicast', 'in0 239.1.1.1:5000', `out0 ${net.rx.address}:7000 egress socket`));
  const before = await connectedSocket(net.relay, net.rx.address, 7000);
  const BACK = 500;
  // From the receiver's own port to the output socket's: the one peer a connected
  // socket accepts datagrams from.
  const script = [
    'import socket, sys',
    's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
    "s.bind(('0.0.0.0', 7000))",
    `for _ in range(${BACK}): s.sendto(b'x' * 1000, ('${net.out0.address}', ${before.localPort}))`,
  ].join('\n');
  await net.rx.ns.run('python3', ['-c', script]);
  const after = await connectedSocket(net.relay, net.rx.address, 7000);
  t.equal(after.queued, 0, 'nothing waits in its receive queue');
  t.equal(after.drops - before.drops, BACK, `all ${BACK} dropped by its filter`);
  await relay.close();
});

t.test("unicast to multicast: datagrams sent to the relay's address are republished to a group", { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  const outcome = await runScenario({
    relay: net.relay,
    rules: [rule('to-multicast', `in0 ${net.in0.address}:6000`, 'out0 239.7.7.7:6000')],
    sinks: [{ ns: net.rx.ns, options: { group: '239.7.7.7', port: 6000, expect: COUNT, expectPerStream: COUNT, idleTimeout: 3 } }],
    gen: { ns: net.src.ns, options: { group: net.in0.address, port: 6000, count: COUNT, rate: 20_000, size: 1024 } },
  });
  t.match(outcome.sinks[0], perfect(COUNT));
  // The relay host has no program on port 6000; its catcher socket keeps the kernel from
  // answering each datagram with an ICMP port unreachable, which would reach the sender.
  t.equal(outcome.gen.errors, 0, 'the sender saw no ICMP errors');
  await outcome.relay.close();
});
