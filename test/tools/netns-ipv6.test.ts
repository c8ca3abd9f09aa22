// IPv6 and explicit MACs in the namespace builder (src/netns): addresses usable the
// moment the wiring returns (nodad), the MAC asked for is the one on the wire, and the
// chain built with IPv6 carries a datagram end to end through the relay.
import t from 'tap';
import { chain, Lab, rootSkipReason, type Endpoint, type Netns } from '../helpers/netns.js';

const skip = rootSkipReason();

/** IPv6 addresses of iface still in duplicate address detection (unusable until done). */
async function tentative(ns: Netns, iface: string): Promise<string[]> {
  type Raw = { addr_info?: { local: string; tentative?: boolean }[] };
  const raw = JSON.parse(await ns.ip('-j', '-6', 'addr', 'show', 'dev', iface)) as Raw[];
  return raw.flatMap((link) => link.addr_info ?? []).filter((a) => a.tentative).map((a) => a.local);
}

/** One UDP datagram over IPv6 from `from` to `to`'s IPv6 address; what arrived and from where. */
async function datagram6(from: Endpoint, to: Endpoint): Promise<{ text: string; from: string }> {
  // NODE_OPTIONS would load the test runner's hooks into these small programs.
  const node = (script: string) => ['-u', 'NODE_OPTIONS', 'node', '-e', script];
  const receiver = to.ns.spawn(
    'env',
    node(`const s = require('dgram').createSocket('udp6');
      s.on('message', (m, r) => { console.log(JSON.stringify({ text: m.toString(), from: r.address })); s.close(); });
      s.bind(7000, '::', () => console.error('ready'));`),
    { timeoutMs: 15_000 },
  );
  await new Promise<void>((resolve, reject) => {
    receiver.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    void receiver.then((r) => reject(new Error(`receiver exited (${r.exitCode}): ${r.stderr}`)));
  });
  const sent = await from.ns.run(
    'env',
    node(`const s = require('dgram').createSocket('udp6');
      s.send('hello over IPv6', 7000, ${JSON.stringify(to.address6)}, (e) => { if (e) throw e; s.close(); });`),
  );
  if (sent.exitCode !== 0) throw new Error(`sender failed: ${sent.stderr}`);
  const received = await receiver;
  if (!received.stdout) throw new Error(`nothing arrived at ${to.ns.label} [${to.address6}]:7000 in 15 s`);
  return JSON.parse(received.stdout) as { text: string; from: string };
}

t.test('a veth with explicit MACs and IPv6 addresses carries a datagram as soon as it is wired', { skip }, async (t) => {
  const lab = Lab.create(t);
  const [aNs, bNs] = (await lab.namespaces('a', 'b')) as [Netns, Netns];
  const a = { ns: aNs, iface: 'eth0', address: '10.50.0.1', address6: 'fd00:50::1' };
  const b = { ns: bNs, iface: 'eth0', address: '10.50.0.2', address6: 'fd00:50::2' };
  await lab.wire({
    veths: [
      [
        { ns: aNs, name: 'eth0', address: ['10.50.0.1/24', 'fd00:50::1/64'], mac: '02:00:00:00:50:01' },
        { ns: bNs, name: 'eth0', address: ['10.50.0.2/24', 'fd00:50::2/64'], mac: '02:00:00:00:50:02' },
      ],
    ],
  });
  t.same(await tentative(aNs, 'eth0').then((list) => list.filter((address) => !address.startsWith('fe80:'))), [], 'no global address waits for DAD');
  const link = (await aNs.links()).find((l) => l.name === 'eth0');
  t.equal(link?.mac, '02:00:00:00:50:01', 'the MAC asked for');
  t.same(link?.addresses, ['10.50.0.1/24'], 'the IPv4 address');
  t.same(link?.addresses6, ['fd00:50::1/64'], 'the IPv6 address (link-local left out)');
  t.equal(await bNs.mac('eth0'), '02:00:00:00:50:02');
  t.same(await datagram6(a, b), { text: 'hello over IPv6', from: 'fd00:50::1' }, 'the datagram arrived from its IPv6 source');
  // b learnt a's link-layer address from its neighbour solicitation: the MAC on the wire.
  const neighbours = JSON.parse(await bNs.ip('-j', '-6', 'neigh', 'show', 'dev', 'eth0')) as { dst: string; lladdr?: string }[];
  t.equal(neighbours.find((n) => n.dst === 'fd00:50::1')?.lladdr, '02:00:00:00:50:01', 'b reached a at the MAC set for it');
});

t.test('chain with IPv6: every endpoint has its IPv6 twin, the end hosts route ff00::/8 and ::/0, a datagram crosses the relay', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab, { ipv6: true });
  t.same(
    [net.src, net.in0, net.out0, net.rx].map((end) => [end.address, end.address6]),
    [
      ['10.1.0.2', 'fd00:1::2'],
      ['10.1.0.1', 'fd00:1::1'],
      ['10.2.0.1', 'fd00:2::1'],
      ['10.2.0.2', 'fd00:2::2'],
    ],
  );
  for (const end of [net.src, net.in0, net.out0, net.rx]) {
    const link = (await end.ns.links()).find((l) => l.name === end.iface);
    t.same([link?.addresses, link?.addresses6], [[`${end.address}/24`], [`${end.address6}/64`]], `${end.ns.label}/${end.iface} has both families`);
  }
  type Route = { dst: string; dev?: string; gateway?: string };
  const routes = JSON.parse(await net.src.ns.ip('-j', '-6', 'route', 'show')) as Route[];
  t.match(routes.find((r) => r.dst === 'ff00::/8'), { dev: 'eth0' }, 'src sends IPv6 multicast out of eth0');
  t.match(routes.find((r) => r.dst === 'default'), { gateway: 'fd00:1::1', dev: 'eth0' }, 'and the rest through the relay');
  // The relay forwards only when asked: the chain leaves that to the test.
  await net.relay.sysctl({ 'net.ipv6.conf.all.forwarding': 1 });
  t.same(await datagram6(net.src, net.rx), { text: 'hello over IPv6', from: 'fd00:1::2' }, 'src reached rx through the relay');
});
