// mcrd with a watched input (timeout_ms) and payload = "rtp-mpegts", fed by mcr gen's
// MPEG-TS in RTP: while the stream flows the rule is active and its input clean (mcr
// sink agrees: no loss, no CC error); when the sender stops, the rule is stalled in the
// stats file and Prometheus, with one log line; when it sends again, one line more, and
// the stall is counted with its length.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { MCR, run, tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();

t.test('a watched rule stalls when its sender stops and recovers when it sends again: state, log lines, Prometheus, counters', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const prom = join(dir, 'mcr.prom');
  await writeConfig(join(dir, 'mcr.toml'), [
    ...daemonSection(dir, [`prometheus_file = "${prom}"`]),
    '[[rule]]',
    'name = "iptv"',
    'input = { interface = "in0", group = "239.1.1.1", port = 5000, timeout_ms = 300 }',
    'payload = "rtp-mpegts"',
    'outputs = [ { interface = "out0", group = "239.2.2.2", port = 5000 } ]',
  ]);
  const mcrd = await startMcrd(net.relay, dir);
  const sink = await startSink(net.rx.ns, { group: '239.2.2.2', port: 5000, payload: 'rtp-mpegts', idleTimeout: 3, durationLimit: 30 });
  const send = (firstSequence: number) => runGen(net.src.ns, { group: '239.1.1.1', port: 5000, payload: 'rtp-mpegts', count: 1000, rate: 1000, interface: 'eth0', firstSequence });
  const first = await send(0);
  t.equal(first.sent, 1000);
  const flowing = await mcrd.stats();
  t.equal(flowing.rules[0]?.state, 'active');
  // Stopped: stalled once the timeout passed.
  const stalledLine = await mcrd.waitForLog(/^rule "iptv" stalled/, 5_000);
  t.equal(stalledLine.message, 'rule "iptv" stalled: no datagram on any input for 300 ms');
  t.equal(stalledLine.level, 'warn');
  const stalled = await mcrd.waitForStats((stats) => stats.rules[0]?.state === 'stalled');
  t.equal(stalled.rules[0]?.stalled, 1);
  // The Prometheus file is written right after the stats file.
  let text = '';
  for (let tries = 0; tries < 50 && !/state="stalled"\} 1/.test(text); tries += 1) {
    text = await readFile(prom, 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.match(text, /mcr_rule_state\{rule="iptv",[^}]*state="stalled"\} 1/);
  t.match(text, /mcr_rule_stalled\{rule="iptv"[^}]*\} 1/);
  const table = await run(MCR, ['stats', '--file', mcrd.statsFile]);
  t.match(table.stdout, /iptv\s+stalled/, 'mcr stats shows the state');
  // Sending again.
  const logged = mcrd.logs().length;
  // A restarted sender: another first sequence number.
  const second = await send(30_000);
  t.equal(second.sent, 1000);
  const back = await mcrd.waitForLog(/^rule "iptv" no longer stalled/, 5_000, logged);
  t.match(back.message, /^rule "iptv" no longer stalled \(receiving again\) after \d+\.\d s$/);
  const report = await sink.report;
  const after = await mcrd.waitForStats((stats) => stats.rules[0]?.state === 'stalled');
  const iptv = after.rules[0];
  t.comment(`stalls ${iptv?.stalls}, stalled ${iptv?.stalled_ms} ms, ${iptv?.packets} datagrams, CC errors ${iptv?.ts_cc_errors}, PIDs ${iptv?.ts_pids}; sink ${JSON.stringify({ rtp: report.rtp, ts: report.ts })}`);
  t.equal(iptv?.packets, 2000);
  t.ok((iptv?.stalled_ms ?? 0) >= 300, 'with its length');
  t.equal(mcrd.logs().filter((line) => /^rule "iptv" stalled/.test(line.message)).length, 2, 'one line per stall (the second when this stream ended)');
  t.equal(iptv?.stalls, 2);
  // The second run of mcr gen is a restarted sender (its numbers jump), not loss.
  t.match(iptv, { rtp_lost: 0, rtp_duplicates: 0, rtp_restarts: 1, ts_sync_loss: 0, ts_pids: 1 });
  t.match(report.rtp, { datagrams: 2000, lost: 0, duplicates: 0, restarts: 1 });
  t.match(report.ts, { packets: 14000, sync_loss: 0, pids: 1 });
  t.equal(report.ts?.cc_errors, iptv?.ts_cc_errors, 'mcr sink and mcr count the same continuity errors at the restart');
  mcrd.signal('SIGTERM');
  await mcrd.exited;
});
