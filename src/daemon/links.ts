// Which of the interfaces the rules name are down (no carrier, or set down), for the
// rule and output states. The data plane's link events tell of changes only, and only
// after it watches, so the state is also read from sysfs whenever a rules file is
// applied. A missing interface is not "down" here: the data plane reports it pending.
import { readFileSync } from 'node:fs';
import type { RuleSet } from '../config/ruleset.js';
import type { LinkChange } from '../dataplane.js';

/** Whether an operstate (/sys/class/net/NAME/operstate) means no traffic flows. */
export function operstateIsDown(operstate: string): boolean {
  const state = operstate.trim();
  return state === 'down' || state === 'lowerlayerdown' || state === 'dormant';
}

/** Whether an existing interface is down; false when it does not exist. */
export function linkIsDown(name: string): boolean {
  try {
    return operstateIsDown(readFileSync(`/sys/class/net/${name}/operstate`, 'utf8'));
  } catch {
    return false; // missing: the data plane reports it as pending
  }
}

export class LinkState {
  private readonly down = new Set<string>();

  constructor(private readonly readIsDown: (name: string) => boolean = linkIsDown) {}

  /** Reads, as they are now, every link a rules file names (inputs and outputs). */
  read(ruleSet: RuleSet): void {
    for (const rule of ruleSet.rules) {
      for (const name of [...rule.inputs.map((input) => input.interface), ...rule.outputs.map((output) => output.interface)]) {
        if (this.readIsDown(name)) this.down.add(name);
        else this.down.delete(name);
      }
    }
  }

  /** Takes in a change the data plane reported; returns the line to log, if any. */
  apply(change: LinkChange): string | null {
    if (!change.name) return null; // lost events: nothing named to update
    if (change.state === 'up') this.down.delete(change.name);
    else this.down.add(change.name);
    return `interface ${change.name} ${change.state}`;
  }

  isDown(name: string): boolean {
    return this.down.has(name);
  }
}
