// A mark's validity can begin or end without anyone calling: the brand registry
// is looked at again once a minute.
import type { PackManager } from './pack-manager.js';

export interface RegistryRechecks {
  stop(): void;
}

export function startRegistryRechecks(packs: Pick<PackManager, 'recheckRegistry'>, log: (message: string) => void, intervalMs = 60_000): RegistryRechecks {
  const registryTimer = setInterval(
    () => void packs.recheckRegistry().catch((error: unknown) => log(`registry recheck: ${(error as Error).message}`)),
    intervalMs,
  );
  registryTimer.unref();
  return { stop: () => clearInterval(registryTimer) };
}
