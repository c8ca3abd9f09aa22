// mDNS across segments with a real implementation (python3-zeroconf) on both ends: a
// service registered on one segment is found by a browser on another only through the
// reflector, and `from` decides exactly which segments' traffic is reflected.
import t from 'tap';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { segments } from '../helpers/segments.js';
import { browse, flowsOf, registerService, startReflector, zeroconfSkipReason } from './discovery-helpers.js';

const skip = rootSkipReason() || zeroconfSkipReason();

t.test('a service on the IoT segment is found from the LAN through the reflector and not without it; the guest segment, not in from, is not reflected', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await segments(lab, ['lan', 'iot', 'guest']);
  const [lan, iot, guest] = [net.hosts.lan![0]!, net.hosts.iot![0]!, net.hosts.guest![0]!];
  await registerService(iot.ns, 'printer', iot.address);
  await registerService(guest.ns, 'speaker', guest.address);

  t.same(await browse(lan.ns, lan.address, 2), {}, 'without a reflector the LAN finds nothing');

  const mcrd = await startReflector(t, net.relays[0]!.ns, [
    '[[reflector]]',
    'name = "home"',
    'service = "mdns"',
    'family = "ipv4"',
    'interfaces = ["lan", "iot", "guest"]',
    'from = ["lan", "iot"]',
  ]);
  await mcrd.waitForStats((stats) => Object.values(flowsOf(stats, 'home')).every((rule) => rule.state === 'active') && Object.keys(flowsOf(stats, 'home')).length === 2);

  t.same(await browse(lan.ns, lan.address, 3), { printer: [iot.address] }, "the LAN's query reaches IoT and the printer's answer comes back; the guest segment's speaker is not reflected");
  t.same(await browse(guest.ns, guest.address, 2), { speaker: [guest.address] }, "the guest segment's query is not reflected: it finds only its own speaker");

  const flows = flowsOf(await mcrd.stats(), 'home');
  t.same(Object.keys(flows).sort(), ['iot', 'lan'], 'one flow per interface of from');
  t.ok(flows.lan!.packets > 0 && flows.iot!.packets > 0, `the LAN's queries and IoT's answers went through the reflector (lan ${flows.lan!.packets}, iot ${flows.iot!.packets})`);
  t.same(flows.iot!.outputs.map((output) => output.interface).sort(), ['guest', 'lan'], 'never back out of the interface a datagram came in on');
  t.ok(flows.iot!.outputs.every((output) => output.ttl === 255), 'sent with TTL 255, as RFC 6762 requires');
});
