// mcrd's lifecycle: start, reload, stop. A reload is one straight-line transaction that
// reuses the start-up path: read, validate, plan, apply, report. Triggers (SIGHUP, the
// file watcher) only ask for a reload; reloads run one at a time, and asks that arrive
// during one are served by one more. An invalid file changes nothing that runs.
import { readFileSync } from 'node:fs';
import { ConfigReadError, parseConfig } from '../config/load.js';
import { formatConfigError } from '../config/problems.js';
import type { RuleSet } from '../config/ruleset.js';
import { allowedCpus, DataPlane, placeWorkers, type ApplyError } from '../dataplane.js';
import { diff, type Plan } from '../diff.js';
import type { LinkEvent, NativeBinding } from '../native/binding-types.js';
import { loadBinding } from '../native/load-binding.js';
import { formatPrometheus } from '../stats/prometheus.js';
import { buildStats, snapshotLines, summaryLine } from '../stats/sample.js';
import type { DaemonState, ReloadResult, StatsFile } from '../stats/types.js';
import { UnsafeStatsPath, writeAtomically } from '../stats/write.js';
import { descriptorShortfall, estimateDescriptors } from '../security/descriptors.js';
import { readRulesSource, RulesFileRefused } from '../security/rules-file.js';
import { WriteRefusals } from '../security/write-refusals.js';
import { effectiveRuleSet, planIsEmpty } from './effective.js';
import { removeLeftovers } from './leftovers.js';
import type { Logger } from './log.js';
import { createNotifier, type Notifier } from './systemd.js';
import { WriteFailures, type LogLine } from './write-failures.js';

export type Trigger = ReloadResult['trigger'];

/** Start-up failed: the message to print and the exit code (sysexits). */
export class StartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

/** How often the one-line summary goes to the log, at the least. */
const SUMMARY_EVERY_MS = 60_000;

export interface DaemonOptions {
  configFile: string;
  logger: Logger;
  binding?: NativeBinding;
  /** --allow-insecure-rules-file: warn about the rules file's permissions, do not refuse. */
  allowInsecureRulesFile?: boolean;
}

function emptyLike(ruleSet: RuleSet): RuleSet {
  return { daemon: ruleSet.daemon, rules: [] };
}

export class Daemon {
  private plane: DataPlane;
  private running: RuleSet;
  private generation = 1;
  private lastReload: ReloadResult;
  private state: DaemonState = 'starting';
  private previousStats: StatsFile | null = null;
  private readonly everActive = new Set<string>();
  private readonly downInterfaces = new Set<string>();
  private statsTimer: NodeJS.Timeout | undefined;
  private lastSummary = Date.now();
  private readonly reloads = { ok: 0, failed: 0 };
  /** Stats writes run one after another, so the file always ends with the newest. */
  private writing: Promise<void> = Promise.resolve();
  private reloading: Promise<void> | null = null;
  private reloadAgain: Trigger | null = null;
  private readonly started = Date.now();
  private readonly writeFailures = new WriteFailures();
  private readonly writeRefusals = new WriteRefusals();

  private constructor(
    private readonly options: DaemonOptions,
    private readonly binding: NativeBinding,
    private readonly notifier: Notifier,
    ruleSet: RuleSet,
  ) {
    this.running = ruleSet;
    this.readLinkState(ruleSet);
    this.plane = this.openPlane(ruleSet);
    const plan = diff(emptyLike(ruleSet), ruleSet);
    const refused = this.applyPlan(plan);
    this.running = effectiveRuleSet(emptyLike(ruleSet), ruleSet, refused.map((error) => error.key));
    this.lastReload = this.result('start', refused.length === 0, refused.map(describeRefusal), plan, false, false);
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const { logger } = options;
    const ruleSet = await readRules(options);
    logger.setLevel(ruleSet.daemon.logLevel);
    const shortfall = descriptorShortfall(estimateDescriptors(ruleSet, workersFor(ruleSet)), null);
    if (shortfall) throw new StartError(shortfall, 78);
    const binding = options.binding ?? loadBinding();
    const notifier = createNotifier(binding.notify, process.env, (message) => logger.limited('warn', 'notify', message));
    const daemon = new Daemon(options, binding, notifier, ruleSet);
    daemon.state = 'running';
    await removeLeftovers([ruleSet.daemon.statsFile, ruleSet.daemon.prometheusFile], (message) => logger.info(message));
    await daemon.sampleAndWrite();
    daemon.scheduleStats();
    return daemon;
  }

  /** Tells the log and systemd that mcrd is ready: call once reload triggers are armed. */
  async announceReady(): Promise<void> {
    const stats = await this.sampleAndWrite();
    this.options.logger.info(`mcrd ready: ${this.options.configFile}, ${summaryLine(stats)}`);
    this.notifier.ready(summaryLine(stats));
  }

  /** Asks for a reload; resolves when the file's rules (or its errors) are in effect. */
  reload(trigger: Trigger): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return Promise.resolve();
    if (this.reloading) {
      this.reloadAgain = trigger;
      return this.reloading;
    }
    this.reloading = (async () => {
      let next: Trigger | null = trigger;
      while (next) {
        this.reloadAgain = null;
        await this.reloadOnce(next);
        next = this.reloadAgain;
      }
      this.reloading = null;
    })();
    return this.reloading;
  }

  /** SIGUSR1: the current numbers, one line per rule. */
  async logSnapshot(): Promise<void> {
    const stats = await this.sampleAndWrite();
    this.options.logger.info(`stats: ${summaryLine(stats)}`);
    for (const line of snapshotLines(stats)) this.options.logger.info(line);
    for (const [path, count] of Object.entries(this.writeRefusals.counts())) {
      this.options.logger.warn(`${path}: ${count} ${count === 1 ? 'write' : 'writes'} refused so far (not a safe place to write)`);
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    await this.reloading;
    this.state = 'stopping';
    this.notifier.stopping();
    clearTimeout(this.statsTimer);
    const last = await this.sampleAndWrite();
    this.options.logger.info(`mcrd stopping: ${summaryLine(last)}`);
    this.plane.close();
    this.state = 'stopped';
    await this.sampleAndWrite(last);
    this.notifier.close();
  }

  private async reloadOnce(trigger: Trigger): Promise<void> {
    const { logger } = this.options;
    this.notifier.reloading();
    this.state = 'reloading';
    let next: RuleSet;
    try {
      next = await readRules(this.options);
    } catch (error) {
      return this.refuse(trigger, error instanceof StartError ? error.message.split('\n') : [String(error)]);
    }
    const plan = diff(this.running, next);
    if (planIsEmpty(plan)) {
      logger.info(`reload (${trigger}): the rules file means what runs; nothing to apply`);
      this.lastReload = this.result(trigger, true, [], plan, false, true);
      return this.settle();
    }
    const restart = plan.daemon.filter((change) => change.needsRestart);
    const workers = this.plane.info.workers;
    const shortfall = descriptorShortfall(
      estimateDescriptors(next, restart.length > 0 ? workersFor(next) : workers),
      estimateDescriptors(this.running, workers),
    );
    if (shortfall) return this.refuse(trigger, [shortfall]);
    this.readLinkState(next);
    let refused;
    if (restart.length > 0) {
      const what = restart.map((c) => `${c.setting} ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`).join(', ');
      logger.warn(`restarting the data plane for ${what}: every flow pauses briefly`);
      this.plane.close();
      this.plane = this.openPlane(next);
      refused = this.applyPlan(diff(emptyLike(next), next));
      this.running = effectiveRuleSet(emptyLike(next), next, refused.map((error) => error.key));
    } else {
      refused = this.applyPlan(plan);
      this.running = effectiveRuleSet(this.running, next, refused.map((error) => error.key));
    }
    logger.setLevel(next.daemon.logLevel);
    this.generation += 1;
    this.lastReload = this.result(trigger, refused.length === 0, refused.map(describeRefusal), plan, restart.length > 0, false);
    const r = this.lastReload;
    logger.info(
      `reload (${trigger}) applied, generation ${this.generation}: ${r.added} added, ${r.removed} removed, ` +
        `${r.changed} changed, ${r.unchanged} unchanged`,
    );
    this.scheduleStats();
    return this.settle();
  }

  /** A file that cannot run: logged, recorded, and what runs keeps running. */
  private refuse(trigger: Trigger, lines: string[]): Promise<void> {
    for (const line of lines) this.options.logger.error(line);
    this.options.logger.error(`reload (${trigger}) refused; generation ${this.generation} keeps running`);
    this.lastReload = { ...this.result(trigger, false, [], null, false, false), errors: lines };
    return this.settle();
  }

  /** After any reload attempt: counted, running again, stats written, systemd told. */
  private async settle(): Promise<void> {
    if (this.lastReload.ok) this.reloads.ok += 1;
    else this.reloads.failed += 1;
    this.state = 'running';
    const stats = await this.sampleAndWrite();
    this.notifier.ready(summaryLine(stats));
  }

  private openPlane(ruleSet: RuleSet): DataPlane {
    const plane = DataPlane.open(ruleSet.daemon, this.binding);
    const { logger } = this.options;
    logger.info(`data plane: ${plane.info.workers} worker(s), ${plane.info.backend} backend`);
    if (plane.info.fallbackReason) logger.warn(`not using io_uring: ${plane.info.fallbackReason}; using plain system calls`);
    plane.on('link', (event) => this.onLink(event));
    return plane;
  }

  private applyPlan(plan: Plan): ApplyError[] {
    const refused = this.plane.apply(plan);
    for (const error of refused) this.options.logger.error(`rule ${describeRefusal(error)}`);
    return refused;
  }

  /**
   * The links a rules file names, as they are now: link events only tell of changes, and
   * only after the data plane is watching (at start) or for links already known.
   */
  private readLinkState(ruleSet: RuleSet): void {
    for (const rule of ruleSet.rules) {
      for (const name of [rule.input.interface, ...rule.outputs.map((output) => output.interface)]) {
        if (linkIsDown(name)) this.downInterfaces.add(name);
        else this.downInterfaces.delete(name);
      }
    }
  }

  private onLink(event: LinkEvent): void {
    if (event.removed || !event.running) this.downInterfaces.add(event.name);
    else this.downInterfaces.delete(event.name);
    const what = event.removed ? 'removed' : event.running ? 'up' : 'down';
    if (event.name) this.options.logger.info(`interface ${event.name} ${what}`);
  }

  private result(trigger: Trigger, ok: boolean, errors: string[], plan: Plan | null, restarted: boolean, skipped: boolean): ReloadResult {
    return {
      at: new Date().toISOString(),
      trigger,
      ok,
      generation: this.generation,
      errors,
      added: plan?.added.length ?? 0,
      removed: plan?.removed.length ?? 0,
      changed: plan?.changed.length ?? 0,
      unchanged: plan?.unchanged.length ?? 0,
      restarted,
      skipped,
    };
  }

  private scheduleStats(): void {
    clearTimeout(this.statsTimer);
    this.statsTimer = setTimeout(() => {
      void this.sampleAndWrite().then((stats) => {
        if (Date.now() - this.lastSummary >= SUMMARY_EVERY_MS) {
          this.lastSummary = Date.now();
          this.options.logger.info(summaryLine(stats));
        }
        this.notifier.status(summaryLine(stats));
      });
      this.scheduleStats();
    }, this.running.daemon.statsInterval * 1000);
  }

  /** Samples the counters and writes the stats (and Prometheus) files. */
  private async sampleAndWrite(reuse?: StatsFile): Promise<StatsFile> {
    const stats = reuse ? { ...reuse, daemon: { ...reuse.daemon, state: this.state } } : this.sample();
    this.previousStats = stats;
    const { statsFile, prometheusFile } = this.running.daemon;
    this.writing = this.writing.then(() => this.writeFiles(stats, statsFile, prometheusFile));
    await this.writing;
    return stats;
  }

  private async writeFiles(stats: StatsFile, statsFile: string, prometheusFile: string | null): Promise<void> {
    await this.writeFile(statsFile, `the stats file ${statsFile}`, `${JSON.stringify(stats, null, 1)}\n`);
    if (prometheusFile) await this.writeFile(prometheusFile, `the Prometheus file ${prometheusFile}`, formatPrometheus(stats));
  }

  /**
   * A file that cannot be written is logged when that starts and ends, an unsafe path
   * (docs/security.md) once and counted; forwarding goes on either way.
   */
  private async writeFile(path: string, what: string, text: string): Promise<void> {
    try {
      await writeAtomically(path, text);
      this.logWrite(this.writeFailures.written(what));
      const again = this.writeRefusals.wrote(path);
      if (again) this.options.logger.info(again);
    } catch (error) {
      if (!(error instanceof UnsafeStatsPath)) return this.logWrite(this.writeFailures.failed(what, error));
      const line = this.writeRefusals.refuse(error.path, error.message);
      if (line) this.options.logger.error(line);
    }
  }

  private logWrite(line: LogLine | null): void {
    if (line) this.options.logger[line.level](line.message);
  }

  private sample(): StatsFile {
    const statuses = this.plane.status();
    for (const status of statuses) if (status.state === 'active') this.everActive.add(status.key);
    return buildStats({
      now: new Date(),
      previous: this.previousStats,
      interval: this.running.daemon.statsInterval,
      daemon: {
        pid: process.pid,
        state: this.state,
        started: new Date(this.started).toISOString(),
        startedMs: this.started,
        configFile: this.options.configFile,
        backend: this.plane.info.backend,
        fallbackReason: this.plane.info.fallbackReason,
        workers: this.plane.info.workers,
      },
      state: this.state,
      generation: this.generation,
      lastReload: this.lastReload,
      reloads: this.reloads,
      ruleSet: this.running,
      statuses,
      counters: this.plane.counters(),
      downInterfaces: this.downInterfaces,
      everActive: this.everActive,
    });
  }
}

/** Whether an existing interface has no carrier or is administratively down. */
function linkIsDown(name: string): boolean {
  try {
    const state = readFileSync(`/sys/class/net/${name}/operstate`, 'utf8').trim();
    return state === 'down' || state === 'lowerlayerdown' || state === 'dormant';
  } catch {
    return false; // missing: the data plane reports it as pending
  }
}

function describeRefusal(error: ApplyError): string {
  return `${error.key}: ${error.message}`;
}

/** Workers a data plane opened for these settings would have. */
function workersFor(ruleSet: RuleSet): number {
  return placeWorkers(ruleSet.daemon, allowedCpus()).workers;
}

/** Reads (checking who can change it) and validates the rules file; throws a StartError saying why it cannot. */
async function readRules(options: DaemonOptions): Promise<RuleSet> {
  const file = options.configFile;
  let result;
  try {
    const { source, warnings } = await readRulesSource(file, { allowInsecure: options.allowInsecureRulesFile === true });
    for (const warning of warnings) options.logger.warn(`${warning} (allowed by --allow-insecure-rules-file)`);
    result = parseConfig(source, file);
  } catch (error) {
    if (error instanceof ConfigReadError) throw new StartError(error.message, 66);
    if (error instanceof RulesFileRefused) throw new StartError(error.message, 78);
    throw error;
  }
  if (result.ok) return result.ruleSet;
  throw new StartError(result.errors.map(formatConfigError).join('\n'), 78);
}
