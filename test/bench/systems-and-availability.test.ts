// Which systems the bench runs and how it decides one cannot run here (no root, no
// traffic): mcr ids per egress kind, ids of earlier benches refused with their new
// name, the rules text mcr gets, and the judges of kernel routing, the nft relay and
// an egress kind from what the machine, `mcr check` and the data plane's sockets said.
import t from 'tap';
import { classifyEgress, configValue, isUnavailable, judgeEgress, judgeMroute, judgeNft, NOT_IN_BUILD, NOT_IN_KERNEL, NOT_INSTALLED, UnavailableError } from '../../bench/lib/availability.js';
import { mcrRulesToml } from '../../bench/lib/mcr-rules.js';
import { checkSystemIds, DEFAULT_SYSTEMS, ipv6VariantOf, kernelReferenceOf, mcrId, parseMcrId } from '../../bench/lib/system-ids.js';

t.test('mcr ids name the egress kind, an optional backend and the workers', async (t) => {
  const cases: [string, ReturnType<typeof parseMcrId>][] = [
    ['mcr-frame-1w', { egress: 'frame', backend: 'auto', workers: 1 }],
    ['mcr-socket-2w', { egress: 'socket', backend: 'auto', workers: 2 }],
    ['mcr-socket-syscalls-1w', { egress: 'socket', backend: 'syscalls', workers: 1 }],
    ['mcr-frame-uring-4w', { egress: 'frame', backend: 'io_uring', workers: 4 }],
    ['mcr-uring-1w', null],
    ['mcr-frame-0w', null],
    ['mcr-tunnel-1w', null],
    ['mcr-frame-1', null],
  ];
  for (const [id, want] of cases) {
    t.same(parseMcrId(id), want, id);
    if (want) t.equal(mcrId(want), id, `${id} round-trips`);
  }
});

t.test('a --systems list: ids of earlier benches get their new name, unknown ones are named', async (t) => {
  t.same(checkSystemIds(DEFAULT_SYSTEMS), []);
  t.same(checkSystemIds(['nft', 'mcr-frame-2w', 'kernel', 'mcr-uring-1w', 'frob']), [
    'kernel was renamed: use smcroute (kernel multicast routing) or nft (the kernel fast path)',
    'mcr-uring-1w was renamed: use mcr-socket-uring-1w (or mcr-frame-1w)',
    'unknown system frob',
  ]);
  t.same(
    DEFAULT_SYSTEMS,
    ['none', 'nft', 'smcroute', 'socat', 'baseline', 'mcr-frame-1w', 'mcr-socket-1w', 'nft-v6', 'mcr-frame-1w-v6', 'mcr-socket-1w-v6'],
    'mcr runs once per egress kind by default, and again with IPv6 beside the kernel fast path',
  );
  t.same(checkSystemIds(['mcr-socket-uring-2w-v6', 'nft-v6', 'socat-v6', 'smcroute-v6', 'baseline-v6']), [
    'unknown system socat-v6',
    'unknown system smcroute-v6',
    'unknown system baseline-v6',
  ], 'only mcr and the kernel fast path have an IPv6 variant');
  t.same(['mcr-frame-1w-v6', 'nft-v6', 'nft', 'socat-v6'].map(ipv6VariantOf), ['mcr-frame-1w', 'nft', null, null]);
  t.same(['mcr-frame-1w-v6', 'nft-v6', 'mcr-frame-1w', 'socat'].map(kernelReferenceOf), ['nft-v6', 'nft-v6', 'nft', 'nft'], 'an IPv6 variant is compared with the IPv6 kernel fast path');
});

t.test('rules for mcr name each output egress, or nothing on a build without the setting', async (t) => {
  const rules = [{ name: 's0', input: { iface: 'in0', group: '239.1.1.1' }, outputs: [{ iface: 'out0', group: '239.2.2.2' }, { iface: 'out1', group: '239.2.2.3', port: 6000 }] }];
  t.equal(
    mcrRulesToml(rules, 'frame'),
    '[[rule]]\nname = "s0"\ninput = { interface = "in0", group = "239.1.1.1", port = 5000 }\noutputs = [\n' +
      '  { interface = "out0", group = "239.2.2.2", port = 5000, egress = "frame" },\n' +
      '  { interface = "out1", group = "239.2.2.3", port = 6000, egress = "frame" },\n]\n',
  );
  t.notMatch(mcrRulesToml(rules, null), /egress/);
  t.throws(() => mcrRulesToml([{ ...rules[0]!, outputs: [] }], 'socket'), /rule s0 has no outputs/);
});

const CONFIG = ['CONFIG_NF_TABLES_NETDEV=y', 'CONFIG_NF_DUP_NETDEV=m', '# CONFIG_IP_MROUTE is not set', 'CONFIG_NFT_FWD_NETDEV=y', 'CONFIG_X=n'].join('\n');

t.test('kernel options are read from the config text', async (t) => {
  t.equal(configValue(CONFIG, 'CONFIG_NF_TABLES_NETDEV'), 'y');
  t.equal(configValue(CONFIG, 'CONFIG_NF_DUP_NETDEV'), 'm');
  t.equal(configValue(CONFIG, 'CONFIG_IP_MROUTE'), 'not set');
  t.equal(configValue(CONFIG, 'CONFIG_X'), 'not set');
  t.equal(configValue(CONFIG, 'CONFIG_ABSENT'), null);
});

t.test('kernel routing: not built into this kernel without /proc/net/ip_mr_vif, whatever else', async (t) => {
  t.same(judgeMroute(false, CONFIG, true), { ok: false, reason: NOT_IN_KERNEL, detail: 'no /proc/net/ip_mr_vif; CONFIG_IP_MROUTE is not set' });
  t.same(judgeMroute(false, null, true), { ok: false, reason: NOT_IN_KERNEL, detail: 'no /proc/net/ip_mr_vif; no kernel config to read' });
  t.same(judgeMroute(true, CONFIG, false), { ok: false, reason: NOT_INSTALLED, detail: 'smcrouted not found (apt-get install smcroute)' });
  t.equal(judgeMroute(true, null, true).ok, true, 'the /proc file is the kernel saying it has multicast routing');
});

t.test('the nft relay: nft installed, and netdev with fwd and dup wherever the config can be read', async (t) => {
  t.equal(judgeNft(true, CONFIG).ok, true);
  t.equal(judgeNft(true, null).ok, true);
  t.same(judgeNft(false, CONFIG), { ok: false, reason: NOT_INSTALLED, detail: 'nft not found (apt-get install nftables)' });
  t.same(judgeNft(true, CONFIG.replace('CONFIG_NF_DUP_NETDEV=m', '')), { ok: false, reason: NOT_IN_KERNEL, detail: 'CONFIG_NF_DUP_NETDEV not set' });
});

t.test('an egress kind: the key mcr check accepts and the kind the data plane then used, or its default without the key', async (t) => {
  const ok = { exitCode: 0, output: 'x.toml: OK: 1 rule' };
  const unknownKey = { exitCode: 78, output: '/tmp/p/probe.toml:5:69: unknown key "egress" in [[rule.outputs]]; expected one of: interface, group\n/tmp/p/probe.toml: 1 error' };
  t.same(judgeEgress('frame', ok, 'frame'), { ok: true, withKey: true, detail: 'mcr check accepts egress = "frame", and the data plane used frame egress' });
  t.same(judgeEgress('frame', ok, null), { ok: true, withKey: true, detail: 'mcr check accepts egress = "frame"' }, 'not probed (no root): the file decides');
  t.same(judgeEgress('socket', ok, 'frame'), { ok: false, reason: NOT_IN_BUILD, detail: 'mcr check accepts egress = "socket", but the data plane used frame egress' });
  t.same(judgeEgress('frame', unknownKey, 'socket'), {
    ok: false,
    reason: NOT_IN_BUILD,
    detail: 'mcr check refuses egress = "frame": unknown key "egress" in [[rule.outputs]]; expected one of: interface, group; without the setting its outputs on veth use socket egress',
  });
  t.same(judgeEgress('frame', unknownKey, null), {
    ok: false,
    reason: NOT_IN_BUILD,
    detail: 'mcr check refuses egress = "frame": unknown key "egress" in [[rule.outputs]]; expected one of: interface, group',
  });
  const byDefault = judgeEgress('socket', unknownKey, 'socket');
  t.same([byDefault.ok, byDefault.withKey], [true, false], 'a build without the setting runs the kind its default picks, the file without the key');
  t.same([judgeEgress('frame', unknownKey, 'frame').ok, judgeEgress('socket', unknownKey, 'frame').ok], [true, false], 'a build whose default on Ethernet is frame');
});

t.test('the kind in use, from the UDP sockets in the relay namespace connected to the outputs', async (t) => {
  const ss = ['ESTAB 0      0      10.2.0.1%out0:50867 239.2.2.2:5000', 'UNCONN 0 0 0.0.0.0:5000 0.0.0.0:*', 'ESTAB 0 0 10.3.0.1%out1:40000 239.2.2.3:5000'].join('\n');
  t.equal(classifyEgress(ss, ['239.2.2.2:5000', '239.2.2.3:5000']), 'socket');
  t.equal(classifyEgress(ss, ['239.2.2.2:5000', '239.2.2.9:5000']), 'mixed');
  t.equal(classifyEgress('', ['239.2.2.2:5000']), 'frame', 'no socket to any output: frames');
  t.equal(classifyEgress('UNCONN 0 0 0.0.0.0:5000 239.2.2.2:5000', ['239.2.2.2:5000']), 'frame', 'only connected sockets count');
});

t.test('errors that say a system cannot run here are told from failures', async (t) => {
  t.ok(isUnavailable(new UnavailableError(NOT_IN_BUILD, 'asked for frame egress, the data plane used socket egress').message));
  t.ok(isUnavailable('not built into this kernel: no /proc/net/ip_mr_vif'));
  t.notOk(isUnavailable('mcr rules not all active: not available in this build'));
});
