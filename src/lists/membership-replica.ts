// A check thread's copy of a membership mirror (membership-mirror.ts), kept equal
// by the changes the event loop sends: it answers "surely not a member" exactly
// when the mirror would, and "maybe" (ask the event loop) otherwise.
import { ListMembership } from './list-membership.js';
import type { MirrorChange } from './membership-mirror.js';

export class MembershipReplica {
  private table = new ListMembership();
  private complete = false;

  apply(change: MirrorChange): void {
    if (change.kind === 'table') {
      this.table = ListMembership.fromSnapshot(change.snapshot);
      this.complete = true;
    } else if (change.kind === 'learn') this.table.add(change.member[0], change.member[1]);
    else this.complete = false;
  }

  /** False only when the table is complete and the value is surely not a member. */
  mightContain(kind: string, value: string): boolean {
    return !this.complete || this.table.mightContain(kind, value);
  }
}
