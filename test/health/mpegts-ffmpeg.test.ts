// A real MPEG-TS stream, made by ffmpeg (a test pattern encoded to MPEG-2 video and sent
// to udp:// in datagrams of seven 188-byte packets), relayed with payload = "mpegts":
// clean, mcr counts no continuity error; with every 50th datagram dropped on the
// sender's egress (nftables), mcr's count equals the drops, and ffmpeg reading the
// relayed stream reports the same discontinuities.
import { existsSync } from 'node:fs';
import t from 'tap';
import { dropOnEgress, nftSkipReason } from '../helpers/loss.js';
import { chain, Lab, rootSkipReason, type Netns } from '../helpers/netns.js';
import { startRelay } from '../helpers/relay.js';

const skip = rootSkipReason() || nftSkipReason() || (existsSync('/usr/bin/ffmpeg') ? false : 'needs ffmpeg (Debian package ffmpeg)');
const SECONDS = 4;

/** ffmpeg encoding SECONDS of a test pattern to the group in real time: PAT/PMT/SDT once
 * at the start (periods longer than the run), so that every later datagram carries
 * video packets only and a lost datagram is exactly one continuity error. */
function encode(ns: Netns, port: number) {
  return ns.run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=25:duration=${SECONDS}`,
    '-c:v', 'mpeg2video', '-b:v', '2M', '-minrate', '2M', '-maxrate', '2M', '-bufsize', '500k',
    '-f', 'mpegts', '-pat_period', '3600', '-sdt_period', '3600',
    `udp://239.1.1.1:${port}?pkt_size=1316&localaddr=10.1.0.2&ttl=4`,
  ], { timeoutMs: 60_000 });
}

/** ffmpeg reading the relayed stream until it stops; its continuity complaints (the
 * mpegts demuxer logs each at debug level) and how many video frames it decoded. */
function read(ns: Netns, port: number) {
  return ns.spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'debug', '-nostdin',
    '-i', `udp://239.2.2.2:${port}?localaddr=10.2.0.2&timeout=3000000&fifo_size=100000&overrun_nonfatal=1`,
    '-f', 'null', '-',
  ], { timeoutMs: 60_000 });
}

t.test('an ffmpeg MPEG-TS stream relayed with payload = "mpegts": no CC error when clean; with every 50th datagram dropped on the sender, CC errors equal the drops and ffmpeg sees the same', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await chain(lab);
  const relay = await startRelay(net.relay, { workers: 1 });
  const rules = (port: number) => ['[[rule]]', `name = "ts${port}"`, `input = { interface = "in0", group = "239.1.1.1", port = ${port} }`, 'payload = "mpegts"', `outputs = [ { interface = "out0", group = "239.2.2.2", port = ${port} } ]`];
  const status = await relay.apply(...rules(5000), ...rules(5002));
  t.same(status.map((rule) => rule.state), ['active', 'active']);
  // Port 5002 loses every 50th datagram on the sender's egress (not the first: it
  // carries the only PAT and PMT).
  const loss = await dropOnEgress(net.src.ns, 'eth0', 5002, 'numgen inc mod 50 == 25');
  const readers = [read(net.rx.ns, 5000), read(net.rx.ns, 5002)];
  await new Promise((resolve) => setTimeout(resolve, 500));
  const senders = await Promise.all([encode(net.src.ns, 5000), encode(net.src.ns, 5002)]);
  for (const sender of senders) t.equal(sender.exitCode, 0, `ffmpeg sent: ${sender.stderr.slice(-300)}`);
  const [clean, lossy] = await Promise.all(readers);
  const counters = await relay.counters();
  const dropped = await loss.dropped();
  const cleanRule = counters.rules['in0|239.1.1.1|5000|*'];
  const lossyRule = counters.rules['in0|239.1.1.1|5002|*'];
  const complaints = (text: string) => (text.match(/Continuity check failed/g) ?? []).length;
  t.comment(`clean: ${cleanRule?.packets} datagrams, ${cleanRule?.ts_pids} PIDs; lossy: ${lossyRule?.packets} datagrams, ${dropped} dropped, ${lossyRule?.ts_cc_errors} CC errors, ffmpeg ${complaints(lossy?.stderr ?? '')}`);
  t.ok((cleanRule?.packets ?? 0) > 500, 'the clean stream was relayed');
  t.equal(cleanRule?.ts_cc_errors, 0, 'clean: no continuity error');
  t.equal(cleanRule?.ts_sync_loss, 0, 'clean: every datagram is whole TS packets');
  t.equal(cleanRule?.ts_tei, 0);
  t.ok((cleanRule?.ts_pids ?? 0) >= 3, 'PAT, PMT and the video PID seen');
  t.equal(complaints(clean?.stderr ?? ''), 0, 'ffmpeg finds the clean relayed stream continuous');
  t.ok(dropped >= 10, `the sender's chain dropped ${dropped} datagrams`);
  // Both encodings are the same bytes: what the lossy rule got plus the drops is the clean count.
  t.equal((lossyRule?.packets ?? 0) + dropped, cleanRule?.packets, 'relayed + dropped = what the clean twin relayed');
  t.equal(lossyRule?.ts_cc_errors, dropped, 'one continuity error per dropped datagram');
  t.equal(complaints(lossy?.stderr ?? ''), dropped, 'ffmpeg reading the relayed stream sees the same discontinuities');
  await relay.close();
});
