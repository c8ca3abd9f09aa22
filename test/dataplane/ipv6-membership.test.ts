// MLD with a real mcrd: while a rule runs, the relay host's kernel holds the join for
// its IPv6 group (and for its source, when the rule has one), as /proc/net/igmp6 and
// /proc/net/mcfilter6 show, and the reports went out on the wire (a snooping bridge
// learnt them); once a reload removes the rule, the join is gone.
import t from 'tap';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { dualBridge, Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';

const skip = rootSkipReason();

/** An IPv6 address as /proc/net/igmp6 prints it: 32 hex digits, no colons. */
function procHex(address: string): string {
  const [head = '', tail = ''] = address.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const all = [...groups(head), ...Array(8 - groups(head).length - groups(tail).length).fill('0'), ...groups(tail)];
  return all.map((group) => group.padStart(4, '0')).join('');
}

/** The rows of a /proc/net file in ns that are about iface. */
async function rowsFor(ns: Netns, file: string, iface: string): Promise<string[][]> {
  const { stdout } = await ns.run('cat', [file]);
  return stdout.split('\n').map((line) => line.trim().split(/\s+/)).filter((fields) => fields[1] === iface);
}

t.test('MLD: the relay joins an IPv6 group, and a source-specific one with its source, while the rules run; a reload that removes a rule takes its join away', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await dualBridge(lab, { ipv6: true, snooping: true });
  // MLDv2 on the bridge, so that it records the sources of source-specific reports.
  await net.switch.ip('link', 'set', 'br-a', 'type', 'bridge', 'mcast_mld_version', '2');
  const source = net.src.address6 ?? '';
  const asm = rule('asm', 'in0 [ff0e::1:1]:5000', 'out0 [ff0e::2:2]:5000');
  const ssm = rule('ssm', `in0 [ff3e::8000:1]:5000 from ${source}`, 'out0 [ff0e::2:3]:5000');
  const file = join(dir, 'mcr.toml');
  await writeConfig(file, [...daemonSection(dir), asm, ssm]);
  const mcrd = await startMcrd(net.relay, dir);

  const groups = async () => (await rowsFor(net.relay, '/proc/net/igmp6', 'in0')).map((fields) => fields[2]);
  const filters = async () => (await rowsFor(net.relay, '/proc/net/mcfilter6', 'in0')).map((fields) => [fields[2], fields[3], fields[4], fields[5]]);
  t.ok((await groups()).includes(procHex('ff0e::1:1')), 'igmp6: ff0e::1:1 joined on in0');
  t.ok((await groups()).includes(procHex('ff3e::8000:1')), 'igmp6: ff3e::8000:1 joined on in0');
  t.same(await filters(), [[procHex('ff3e::8000:1'), procHex(source), '1', '0']], `mcfilter6: ff3e::8000:1 includes ${source} only`);

  // The kernel sent MLDv2 reports for them: the snooping bridge learnt both groups on
  // the relay's port, the source-specific one with its source.
  const deadline = Date.now() + 5_000;
  let mdb = '';
  while (Date.now() < deadline) {
    mdb = (await net.switch.run('bridge', ['-d', 'mdb', 'show', 'dev', 'br-a'])).stdout;
    if (mdb.includes('ff0e::1:1') && mdb.includes('ff3e::8000:1')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.match(mdb, /port a-relay grp ff0e::1:1/, 'the bridge learnt the any-source join from the wire');
  t.match(mdb, new RegExp(`port a-relay grp ff3e::8000:1 src ${source}`), 'and the source-specific one with its source');

  const seen = mcrd.logs().length;
  await writeConfig(file, [...daemonSection(dir), asm]);
  await mcrd.waitForLog(/reload \(file\) applied, generation 2: 0 added, 1 removed/, 10_000, seen);
  t.notOk((await groups()).includes(procHex('ff3e::8000:1')), 'igmp6: the removed rule\'s group is left');
  t.same(await filters(), [], 'mcfilter6: its source filter is gone');
  t.ok((await groups()).includes(procHex('ff0e::1:1')), 'igmp6: the rule that stays keeps its join');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0, 'mcrd stopped cleanly');
  t.notOk((await groups()).includes(procHex('ff0e::1:1')), 'igmp6: nothing of mcrd\'s is left once it stopped');
});

t.test('MLDv1 compatibility: with the link forced to MLDv1 the same rules join, the source-specific one reported without its source and still filtered by it', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await dualBridge(lab, { ipv6: true, snooping: true });
  await net.relay.sysctl({ 'net.ipv6.conf.in0.force_mld_version': 1 });
  const source = net.src.address6 ?? '';
  await writeConfig(join(dir, 'mcr.toml'), [...daemonSection(dir), rule('ssm', `in0 [ff3e::8000:1]:5000 from ${source}`, 'out0 [ff0e::2:3]:5000')]);
  const mcrd = await startMcrd(net.relay, dir);
  const filters = (await rowsFor(net.relay, '/proc/net/mcfilter6', 'in0')).map((fields) => [fields[2], fields[3]]);
  t.same(filters, [[procHex('ff3e::8000:1'), procHex(source)]], 'the kernel keeps the source filter');
  const deadline = Date.now() + 5_000;
  let mdb = '';
  while (Date.now() < deadline && !mdb.includes('ff3e::8000:1')) {
    mdb = (await net.switch.run('bridge', ['-d', 'mdb', 'show', 'dev', 'br-a'])).stdout;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.match(mdb, /port a-relay grp ff3e::8000:1/, 'the bridge learnt the group from an MLDv1 report');
  t.notMatch(mdb, /grp ff3e::8000:1 src/, 'an MLDv1 report carries no source');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0, 'mcrd stopped cleanly');
});
