// mDNS across segments with a real implementation (python3-zeroconf) on both ends, over
// IPv4 (224.0.0.251) and IPv6 (ff02::fb): a service registered on one segment is found
// by a browser on another only through the reflector, and `from` decides exactly which
// segments' traffic is reflected.
import t from 'tap';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { segments } from '../helpers/segments.js';
import { browse, flowsOf, registerService, startReflector, zeroconfSkipReason } from '../helpers/discovery.js';

const skip = rootSkipReason() || zeroconfSkipReason();

t.test('over IPv4 and IPv6, a service on the IoT segment is found from the LAN through the reflector and not without it; the guest segment, not in from, is not reflected', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await segments(lab, ['lan', 'iot', 'guest'], { ipv6: true });
  const [lan, iot, guest] = [net.hosts.lan![0]!, net.hosts.iot![0]!, net.hosts.guest![0]!];
  await Promise.all([
    registerService(iot.ns, 'printer', iot.address),
    registerService(iot.ns, 'printer', iot.address6!),
    registerService(guest.ns, 'speaker', guest.address),
    registerService(guest.ns, 'speaker', guest.address6!),
  ]);
  const both = (end: typeof lan, seconds: number) => Promise.all([browse(end.ns, end.address, seconds), browse(end.ns, end.address6!, seconds)]);

  t.same(await both(lan, 2), [{}, {}], 'without a reflector the LAN finds nothing, over either family');

  const mcrd = await startReflector(t, net.relays[0]!.ns, ['[[reflector]]', 'name = "home"', 'service = "mdns"', 'interfaces = ["lan", "iot", "guest"]', 'from = ["lan", "iot"]']);
  await mcrd.waitForStats((stats) => stats.rules.length === 4 && stats.rules.every((rule) => rule.state === 'active'));

  t.same(
    await both(lan, 3),
    [{ printer: [iot.address] }, { printer: [iot.address6] }],
    "the LAN's queries reach IoT and the printer's answers come back, over IPv4 and IPv6; the guest segment's speaker is not reflected",
  );
  t.same(await both(guest, 3), [{ speaker: [guest.address] }, { speaker: [guest.address6] }], "the guest segment's queries are not reflected: it finds only its own speaker");

  const stats = await mcrd.stats();
  const flows = stats.rules.map((rule) => `${rule.input.interface} ${rule.input.group}`).sort();
  t.same(flows, ['iot 224.0.0.251', 'iot ff02::fb', 'lan 224.0.0.251', 'lan ff02::fb'], 'one flow per interface of from and family');
  for (const rule of stats.rules) {
    t.ok(rule.packets > 0, `${rule.name}: ${rule.packets} datagrams reflected`);
    t.same(rule.outputs.map((output) => output.interface).sort(), rule.input.interface === 'lan' ? ['guest', 'iot'] : ['guest', 'lan'], `${rule.name}: never back out of its own interface`);
    t.ok(rule.outputs.every((output) => output.ttl === 255), `${rule.name}: sent with TTL / hop limit 255, as RFC 6762 requires`);
  }
  t.same(
    stats.reflectors?.[0]?.interfaces.map((entry) => [entry.interface, entry.received > 0, entry.relayed > 0]),
    [['lan', true, true], ['iot', true, true], ['guest', false, true]],
    'the stats file shows the reflector per interface: guest only receives',
  );
  t.same(Object.keys(flowsOf(stats, 'home')).sort(), ['iot', 'lan']);
});
