// RTP with loss, duplication and reordering injected by the test's own sender, relayed
// with payload = "rtp": mcr's counts equal what was injected, the receiver behind the
// relay sees the same stream, and mcr's jitter is within 20 % of the RFC 3550 estimate
// the test computes itself from the kernel's receive times on the relay's input.
import { existsSync } from 'node:fs';
import t from 'tap';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay } from '../helpers/relay.js';
import { receiveRtp, sendRtp } from '../helpers/rtp.js';

const skip = rootSkipReason() || (existsSync('/usr/bin/python3') ? false : 'needs /usr/bin/python3');
const KEY = 'in0|239.1.1.1|5000|*';
// 3,000 datagrams at 1,000 per second. mcr counts a number lost once 1,024 later ones
// have come, so every injected fault sits before the last 1,100.
const COUNT = 3000;
const DROP = [100, 101, 500, 1234, 1500];
const DUPLICATE = [200, 700, 1600];
const SWAP = [300, 900, 1700];

t.test('RTP with 5 datagrams lost, 3 duplicated and 3 reordered by the sender: mcr counts exactly 5, 3 and 3, and its jitter is within 20 % of the test\'s own RFC 3550 estimate', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  const relay = await startRelay(net.relay, { workers: 1 });
  const status = await relay.apply(
    '[[rule]]',
    'name = "rtp"',
    'input = { interface = "in0", group = "239.1.1.1", port = 5000 }',
    'payload = "rtp"',
    'clock_rate = 90000',
    'outputs = [ { interface = "out0", group = "239.2.2.2", port = 5000 } ]',
  );
  t.equal(status[0]?.state, 'active');
  // The reference: a plain socket on the relay's input, with the kernel's receive times.
  const atInput = await receiveRtp(net.relay, { group: '239.1.1.1', port: 5000, interface: 'in0', idle: 1.5 });
  const atReceiver = await receiveRtp(net.rx.ns, { group: '239.2.2.2', port: 5000, interface: 'eth0', idle: 1.5 });
  const sent = await sendRtp(net.src.ns, {
    group: '239.1.1.1', port: 5000, interface: 'eth0', count: COUNT, rate: 1000,
    firstSeq: 65000, // wraps past 65535 on the way
    drop: DROP, duplicate: DUPLICATE, swap: SWAP, jitterUs: 3000,
  });
  t.equal(sent.sent, COUNT - DROP.length + DUPLICATE.length);
  const [input, receiver] = await Promise.all([atInput.report, atReceiver.report]);
  const counters = (await relay.counters()).rules[KEY];
  t.comment(`mcr: lost ${counters?.rtp_lost}, duplicates ${counters?.rtp_duplicates}, reordered ${counters?.rtp_reordered}, jitter ${counters?.rtp_jitter_us} us; reference jitter ${input.jitter_us.toFixed(1)} us`);
  t.equal(counters?.packets, sent.sent, 'every datagram sent reached the rule');
  t.equal(counters?.rtp_lost, DROP.length, 'lost');
  t.equal(counters?.rtp_duplicates, DUPLICATE.length, 'duplicates');
  t.equal(counters?.rtp_reordered, SWAP.length, 'reordered');
  t.equal(counters?.rtp_restarts, 0, 'the wrap past 65535 is no restart');
  t.equal(counters?.payload_unrecognised, 0);
  // The relay passes the stream on as it came: the receiver sees the same faults.
  t.same(receiver.missing, DROP, 'the receiver misses what the sender left out');
  t.equal(receiver.duplicates, DUPLICATE.length);
  t.equal(receiver.reordered, SWAP.length);
  t.equal(input.overflow, 0, 'the reference socket lost nothing');
  const jitter = counters?.rtp_jitter_us ?? 0;
  t.ok(input.jitter_us > 100, `the sender's random delay made jitter to measure (${input.jitter_us.toFixed(1)} us)`);
  t.ok(Math.abs(jitter - input.jitter_us) <= 0.2 * input.jitter_us, `mcr's jitter ${jitter} us is within 20 % of ${input.jitter_us.toFixed(1)} us`);
  await relay.close();
});
