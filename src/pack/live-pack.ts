import type { CompiledPack } from './compiled-pack.js';

/**
 * The pack in force. A swap is one reference assignment: a check reads `current`
 * once and uses that pack throughout, so no check ever mixes two packs.
 */
export class LivePack {
  private compiled: CompiledPack | undefined;
  private readonly listeners: Array<(pack: CompiledPack) => void> = [];
  swaps = 0;

  get current(): CompiledPack | undefined {
    return this.compiled;
  }

  swap(next: CompiledPack): void {
    this.compiled = next;
    this.swaps++;
    for (const listener of this.listeners) listener(next);
  }

  onSwap(listener: (pack: CompiledPack) => void): void {
    this.listeners.push(listener);
  }
}
