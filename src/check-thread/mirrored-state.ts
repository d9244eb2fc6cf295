// What the event loop mirrors into a check thread or a backtest thread: the
// membership tables (listed values, decided listings, flagged ring nodes), the
// sellers rights holders shared with the alliance, and the demoted causes.
import { MembershipReplica } from '../lists/membership-replica.js';
import type { ToThread, TableName } from './thread-messages.js';

/** The messages that keep a MirroredState. */
export type MirrorMessage = Extract<ToThread, { type: 'table' | 'alliance' | 'demoted' }>;

export class MirroredState {
  readonly tables: Readonly<Record<TableName, MembershipReplica>> = {
    lists: new MembershipReplica(),
    decided: new MembershipReplica(),
    rings: new MembershipReplica(),
  };
  /** Seller → the brands that shared it. */
  shares: ReadonlyMap<string, readonly string[]> = new Map();
  demoted: ReadonlySet<string> = new Set();

  apply(message: MirrorMessage): void {
    switch (message.type) {
      case 'table':
        this.tables[message.table].apply(message.change);
        break;
      case 'alliance':
        this.shares = new Map(message.shares);
        break;
      case 'demoted':
        this.demoted = new Set(message.causes);
        break;
    }
  }
}
