// mcrd's lifecycle: start, reload, stop. A reload is one straight-line transaction that
// reuses the start-up path: read, validate, plan, apply, report. Triggers (SIGHUP, the
// file watcher) only ask for a reload; reloads run one at a time (serial.ts), and asks
// that arrive during one are served by one more. An invalid file changes nothing that
// runs. The parts live beside it: link state (links.ts), rule states (stats/rule-state.ts),
// the reload history (reload-record.ts), the stats cadence and files (stats-loop.ts).
import { settingFileKey, type RuleSet } from '../config/ruleset.js';
import { allowedCpus, DataPlane, placeWorkers, type ApplyError, type DataPlaneSettings, type LinkChange } from '../dataplane.js';
import { diff, type Plan, type SettingChange } from '../diff.js';
import { sendNotification } from '../native/notify.js';
import { EXIT_CONFIG } from '../product.js';
import { descriptorShortfall, estimateDescriptors } from '../security/descriptors.js';
import { RuleStates } from '../stats/rule-state.js';
import { buildStats, snapshotLines, summaryLine } from '../stats/sample.js';
import type { DaemonState, StatsFile } from '../stats/types.js';
import { effectiveRuleSet, planIsEmpty } from './effective.js';
import { removeLeftovers } from './leftovers.js';
import { LinkState } from './links.js';
import type { LogLine } from './log.js';
import { readRules, refusalLines, StartError, type RulesSource } from './read-rules.js';
import { ReloadRecord, type Trigger } from './reload-record.js';
import { Serial } from './serial.js';
import { SoftnetDrops } from './softnet.js';
import { StallLog } from './stall-log.js';
import { StatsLoop } from './stats-loop.js';
import { createNotifier, type Notifier, type SendNotification } from './systemd.js';

export { StartError } from './read-rules.js';
export type { Trigger } from './reload-record.js';

export interface DaemonOptions extends RulesSource {
  /** Opens the data plane (tests pass one over a stand-in binding). */
  openPlane?: (settings: DataPlaneSettings) => DataPlane;
  /** Sends one sd_notify datagram. */
  notify?: SendNotification;
}

function emptyLike(ruleSet: RuleSet): RuleSet {
  return { daemon: ruleSet.daemon, rules: [] };
}

export class Daemon {
  private plane!: DataPlane;
  private running: RuleSet;
  private state: DaemonState = 'starting';
  private readonly record: ReloadRecord;
  private readonly links = new LinkState();
  private readonly ruleStates = new RuleStates();
  private readonly stats: StatsLoop;
  private readonly reloads = new Serial<Trigger>((trigger) => this.reloadOnce(trigger));
  private readonly started = Date.now();
  /** Kernel backlog drops are counted from here: what happened before is not ours. */
  private readonly softnet = new SoftnetDrops();
  private readonly stalls = new StallLog();

  private constructor(
    private readonly options: DaemonOptions,
    private readonly notifier: Notifier,
    ruleSet: RuleSet,
  ) {
    this.running = ruleSet;
    this.links.read(ruleSet);
    const refused = this.startPlane(ruleSet);
    this.record = new ReloadRecord(diff(emptyLike(ruleSet), ruleSet), refused.map(describeRefusal));
    this.stats = new StatsLoop(
      { sample: (previous) => this.sample(previous), settings: () => this.running.daemon },
      options.logger,
      (summary) => this.notifier.status(summary),
    );
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const { logger } = options;
    const ruleSet = await readRules(options);
    logger.setLevel(ruleSet.daemon.logLevel);
    const shortfall = descriptorShortfall(estimateDescriptors(ruleSet, workersFor(ruleSet)), null);
    if (shortfall) throw new StartError(shortfall, EXIT_CONFIG);
    const notifier = createNotifier(options.notify ?? sendNotification, process.env, (message) => logger.limited('warn', 'notify', message));
    const daemon = new Daemon(options, notifier, ruleSet);
    daemon.state = 'running';
    await removeLeftovers([ruleSet.daemon.statsFile, ruleSet.daemon.prometheusFile], (message) => logger.info(message));
    await daemon.stats.sampleAndWrite();
    daemon.stats.schedule();
    return daemon;
  }

  /** Tells the log and systemd that mcrd is ready: call once reload triggers are armed. */
  async announceReady(): Promise<void> {
    const stats = await this.stats.sampleAndWrite();
    this.options.logger.info(`mcrd ready: ${this.options.configFile}, ${summaryLine(stats)}`);
    this.notifier.ready(summaryLine(stats));
  }

  /** Asks for a reload; resolves when the file's rules (or its errors) are in effect. */
  reload(trigger: Trigger): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return Promise.resolve();
    return this.reloads.request(trigger);
  }

  /** SIGUSR1: the current numbers, one line per rule. */
  async logSnapshot(): Promise<void> {
    const stats = await this.stats.sampleAndWrite();
    this.options.logger.info(`stats: ${summaryLine(stats)}`);
    for (const line of snapshotLines(stats)) this.options.logger.info(line);
    for (const line of this.stats.refusalLines()) this.options.logger.warn(line);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    await this.reloads.idle();
    this.state = 'stopping';
    this.notifier.stopping();
    this.stats.stop();
    const last = await this.stats.sampleAndWrite();
    this.options.logger.info(`mcrd stopping: ${summaryLine(last)}`);
    this.plane.close();
    this.state = 'stopped';
    await this.stats.rewrite(last, this.state);
    this.notifier.close();
  }

  /** Read, validate, plan, apply, report. */
  private async reloadOnce(trigger: Trigger): Promise<void> {
    this.notifier.reloading();
    this.state = 'reloading';
    let next: RuleSet;
    try {
      next = await readRules(this.options);
    } catch (error) {
      return this.settle(this.record.refused(trigger, refusalLines(error)));
    }
    const plan = diff(this.running, next);
    if (planIsEmpty(plan)) return this.settle(this.record.skipped(trigger, plan));
    const restart = plan.daemon.filter((change) => change.needsRestart);
    const shortfall = this.shortfall(next, restart.length > 0);
    if (shortfall) return this.settle(this.record.refused(trigger, [shortfall]));
    this.links.read(next);
    const refused = restart.length > 0 ? this.restartPlane(next, restart) : this.applyPlan(plan, next);
    this.options.logger.setLevel(next.daemon.logLevel);
    const lines = this.record.applied(trigger, plan, refused.map(describeRefusal), restart.length > 0);
    this.stats.schedule();
    return this.settle(lines);
  }

  /** After any reload attempt: reported, running again, stats written, systemd told. */
  private async settle(lines: readonly LogLine[]): Promise<void> {
    for (const line of lines) this.options.logger.say(line);
    this.state = 'running';
    const stats = await this.stats.sampleAndWrite();
    this.notifier.ready(summaryLine(stats));
  }

  /** Why `next` would not fit in the process's file descriptors, or null. */
  private shortfall(next: RuleSet, restart: boolean): string | null {
    const workers = this.plane.info.workers;
    return descriptorShortfall(
      estimateDescriptors(next, restart ? workersFor(next) : workers),
      estimateDescriptors(this.running, workers),
    );
  }

  /** Opens a data plane for the rule set and applies all of it: start-up, and every restart. */
  private startPlane(ruleSet: RuleSet): ApplyError[] {
    const open = this.options.openPlane ?? ((settings: DataPlaneSettings) => DataPlane.open(settings));
    this.plane = open(ruleSet.daemon);
    const { logger } = this.options;
    logger.info(`data plane: ${this.plane.info.workers} worker(s), ${this.plane.info.backend} backend`);
    if (this.plane.info.fallbackReason) logger.warn(`not using io_uring: ${this.plane.info.fallbackReason}; using plain system calls`);
    this.plane.on('link', (change) => this.onLink(change));
    return this.applyPlan(diff(emptyLike(ruleSet), ruleSet), ruleSet, emptyLike(ruleSet));
  }

  private restartPlane(next: RuleSet, changes: readonly SettingChange[]): ApplyError[] {
    const what = changes.map((c) => `${settingFileKey(c.setting)} ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`).join(', ');
    this.options.logger.warn(`restarting the data plane for ${what}: every flow pauses briefly`);
    this.plane.close();
    return this.startPlane(next);
  }

  /** Applies the plan from `from` to `next`; what runs afterwards leaves out what the data plane refused. */
  private applyPlan(plan: Plan, next: RuleSet, from: RuleSet = this.running): ApplyError[] {
    const refused = this.plane.apply(plan);
    for (const error of refused) this.options.logger.error(`rule ${describeRefusal(error)}`);
    this.running = effectiveRuleSet(from, next, refused.map((error) => error.key));
    return refused;
  }

  private onLink(change: LinkChange): void {
    const line = this.links.apply(change);
    if (line) this.options.logger.info(line);
  }

  private sample(previous: StatsFile | null): StatsFile {
    const { info } = this.plane;
    const counters = this.plane.counters();
    // The data plane's stalled gauge of each rule (set by the worker that watches it).
    const isStalled = (key: string): boolean => (counters.rules.get(key)?.counters.stalled ?? 0) > 0;
    const stats = buildStats({
      now: new Date(),
      previous,
      interval: this.running.daemon.statsInterval,
      daemon: {
        pid: process.pid,
        state: this.state,
        started: new Date(this.started).toISOString(),
        startedMs: this.started,
        configFile: this.options.configFile,
        backend: info.backend,
        fallbackReason: info.fallbackReason,
        workers: info.workers,
        cpus: [...info.cpus],
      },
      state: this.state,
      generation: this.record.generation,
      lastReload: this.record.last,
      reloads: this.record.counts,
      ruleSet: this.running,
      conditions: this.ruleStates.observe(this.running, this.plane.status(), (name) => this.links.isDown(name), isStalled),
      counters,
      softnet: this.softnet.since(),
    });
    for (const line of this.stalls.observe(stats.rules, Date.now())) this.options.logger[line.level](line.message);
    return stats;
  }
}

function describeRefusal(error: ApplyError): string {
  return `${error.key}: ${error.message}`;
}

/** Workers a data plane opened for these settings would have. */
function workersFor(ruleSet: RuleSet): number {
  return placeWorkers(ruleSet.daemon, allowedCpus()).workers;
}
