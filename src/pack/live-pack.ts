import type { CompiledPack } from './compiled-pack.js';
import { bucketsOf, sellerBucket } from './seller-bucket.js';

/** A candidate pack judging a share of sellers (issue 26 point 4). */
export interface PackRollout {
  compiled: CompiledPack;
  /** Share of sellers, in percent (0 < percent < 100). */
  percent: number;
}

/**
 * The pack in force, and a staged rollout's candidate if there is one. A swap is
 * one reference assignment: a check reads its pack once and uses it throughout,
 * so no check ever mixes two packs.
 */
export class LivePack {
  private compiled: CompiledPack | undefined;
  private staged: (PackRollout & { buckets: number }) | undefined;
  private readonly listeners: Array<(pack: CompiledPack) => void> = [];
  private readonly rolloutListeners: Array<(rollout: PackRollout | undefined) => void> = [];
  swaps = 0;

  get current(): CompiledPack | undefined {
    return this.compiled;
  }

  get rollout(): PackRollout | undefined {
    return this.staged;
  }

  /** The pack that judges this seller: the candidate for the rollout's share of sellers, else the live one. */
  forSeller(sellerId: string): CompiledPack | undefined {
    const staged = this.staged;
    if (staged === undefined) return this.compiled;
    return sellerBucket(sellerId) < staged.buckets ? staged.compiled : this.compiled;
  }

  swap(next: CompiledPack): void {
    this.compiled = next;
    this.swaps++;
    for (const listener of this.listeners) listener(next);
  }

  /** Starts, changes or (with undefined) ends a staged rollout. */
  stage(rollout: PackRollout | undefined): void {
    this.staged = rollout === undefined ? undefined : { ...rollout, buckets: bucketsOf(rollout.percent) };
    for (const listener of this.rolloutListeners) listener(rollout);
  }

  onSwap(listener: (pack: CompiledPack) => void): void {
    this.listeners.push(listener);
  }

  onRollout(listener: (rollout: PackRollout | undefined) => void): void {
    this.rolloutListeners.push(listener);
  }
}
