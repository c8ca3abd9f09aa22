// SSDP across segments with gupnp's gssdp-discover as the client and a UPnP-style device
// that answers by unicast to whoever sent the M-SEARCH: the answer reaches the client
// because the reflector keeps the client's address (source = "preserve", its default);
// with source = "interface" the device answers the relay instead, which is why preserve
// is the default (docs/discovery.md).
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { writeConfig, daemonSection } from '../helpers/mcrd.js';
import { Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { segments } from '../helpers/segments.js';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { startReflector } from '../helpers/discovery.js';

const skip = rootSkipReason() || (existsSync('/usr/bin/gssdp-discover') ? false : 'gssdp-discover is not installed (apt-get install gupnp-tools)');
const DEVICE = fileURLToPath(new URL('../helpers/ssdp-device.py', import.meta.url));
const USN = 'uuid:6d1c2f1e-mcr-test-printer';

async function discover(ns: Netns): Promise<string[]> {
  const result = await ns.run('gssdp-discover', ['-i', 'eth0', '-t', 'upnp:rootdevice', '-n', '2'], { timeoutMs: 15_000 });
  return [...result.stdout.matchAll(/USN:\s*(\S+)/g)].map((match) => match[1]!);
}

function reflector(source: string): string[] {
  return ['[[reflector]]', 'name = "upnp"', 'service = "ssdp"', 'family = "ipv4"', 'interfaces = ["lan", "iot"]', ...(source ? [`source = "${source}"`] : [])];
}

t.test("gssdp-discover on the LAN finds a device on the IoT segment: its unicast answer reaches the client because the source was preserved; with source = \"interface\" the answer goes to the relay", { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await segments(lab, ['lan', 'iot'], { routed: true });
  const [lan, iot] = [net.hosts.lan![0]!, net.hosts.iot![0]!];
  const device = iot.ns.spawn('/usr/bin/python3', [DEVICE, '--address', iot.address, '--usn', USN, '--seconds', '40'], { timeoutMs: 60_000 });
  device.catch(() => undefined);
  let answered = '';
  device.stderr.on('data', (chunk: Buffer) => (answered += chunk.toString()));
  while (!answered.includes('ready')) await new Promise((resolve) => setTimeout(resolve, 50));

  t.same(await discover(lan.ns), [], 'without a reflector the client finds nothing');

  const relayNs = net.relays[0]!.ns;
  const mcrd = await startReflector(t, relayNs, reflector(''));
  answered = '';
  t.same([...new Set(await discover(lan.ns))], [`${USN}::upnp:rootdevice`], 'the device is found through the reflector');
  const querier = new RegExp(`answered ${lan.address.replace(/\./g, '\\.')}:\\d+`);
  t.match(answered, querier, `the device answered the client's own address (${answered.trim().split('\n')[0]})`);

  // The same reflector with the relay's address as the source: a reload, not a restart.
  await writeConfig(mcrd.configFile, [...daemonSection(dirname(mcrd.configFile)), ...reflector('interface')]);
  mcrd.signal('SIGHUP');
  await mcrd.waitForStats((stats) => stats.config.generation === 2);
  answered = '';
  t.same(await discover(lan.ns), [], 'with source = "interface" the client hears no answer');
  t.match(answered, /answered 10\.61\.0\.1:1900/, 'the device answered the relay, whose address the M-SEARCH carried');
  t.notMatch(answered, querier, 'and never the client');
});
