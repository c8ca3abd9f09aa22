// Renders a reload plan as the lines `mcr check --diff` prints. Pure.
import { describeEndpoint, describeInput } from '../config/endpoints.js';
import { settingFileKey, sourceText, type FlowPolicy, type Output, type Rule } from '../config/ruleset.js';
import type { Plan, SettingChange } from '../diff.js';
import { plural } from './plural.js';

/** "eth1 239.2.1.1:5000 ttl 1", then what is not the default: the source (an address,
 * or "the sender" for "preserve"), the DSCP and the egress kind. */
export function describeOutput(output: Output): string {
  const source = sourceText(output.sourceAddress);
  const from = source === null ? '' : ` from ${source === 'preserve' ? 'the sender' : source}`;
  const dscp = output.dscp === 0 ? '' : ` dscp ${output.dscp}`;
  const egress = output.egress === 'auto' ? '' : ` egress ${output.egress}`;
  const where = output.directed ? `${output.interface} broadcast:${output.port}` : describeEndpoint(output);
  return `${where} ttl ${output.ttl}${from}${dscp}${egress}`;
}

/** A reflector flow's policy in a few words: "allow 10.0.0.0/8, deny -, rate 200/400, loop 200 ms". */
export function describePolicy(policy: FlowPolicy | undefined): string {
  if (!policy) return 'none';
  const list = (prefixes: FlowPolicy['allowSources']) => (prefixes.length === 0 ? '-' : prefixes.map((prefix) => prefix.text).join(' '));
  const rate = policy.rateLimit ? `${policy.rateLimit.pps}/${policy.rateLimit.burst}` : 'none';
  return `allow ${list(policy.allowSources)}, deny ${list(policy.denySources)}, rate ${rate}, loop ${policy.loopWindowMs} ms`;
}


function ruleLine(verb: string, rule: Rule, detail = ''): string {
  return `  ${verb.padEnd(8)} ${rule.name}  [${describeInput(rule.input)}]${detail}`;
}

function settingLine(change: SettingChange): string {
  const restart = change.needsRestart ? ' (needs a data plane restart)' : '';
  return `  setting  ${settingFileKey(change.setting)}: ${JSON.stringify(change.before)} -> ${JSON.stringify(change.after)}${restart}`;
}

export function formatPlan(plan: Plan): string[] {
  const lines: string[] = [];
  for (const rule of plan.added) lines.push(ruleLine('add', rule, ` -> ${plural(rule.outputs.length, 'output')}`));
  for (const rule of plan.removed) lines.push(ruleLine('remove', rule));
  for (const { before, after, outputs, health } of plan.changed) {
    const detail = `: ${outputs.added.length} added, ${outputs.removed.length} removed, ${outputs.kept.length} kept${health ? ', stream health settings changed' : ''}`;
    lines.push(ruleLine('change', after, detail));
    const [was, now] = [describePolicy(before.policy), describePolicy(after.policy)];
    if (was !== now) lines.push(`             policy ${was} -> ${now}`);
    for (const output of outputs.added) lines.push(`             + ${describeOutput(output)}`);
    for (const output of outputs.removed) lines.push(`             - ${describeOutput(output)}`);
  }
  for (const rename of plan.renamed) lines.push(`  rename   "${rename.from}" -> "${rename.to}"`);
  for (const change of plan.daemon) lines.push(settingLine(change));
  const summary = [
    `${plan.added.length} added`,
    `${plan.removed.length} removed`,
    `${plan.changed.length} changed`,
    `${plan.unchanged.length} unchanged`,
    `${plan.renamed.length} renamed`,
    plural(plan.daemon.length, 'setting') + ' changed',
  ].join(', ');
  lines.push(lines.length === 0 ? `no changes (${summary})` : summary);
  return lines;
}
