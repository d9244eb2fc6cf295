// A mark's validity can begin or end without anyone calling: the brand registry
// is looked at again once a minute.
import type { PackManager } from './pack-manager.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface RegistryRechecks {
  stop(): void;
}

export function startRegistryRechecks(packs: Pick<PackManager, 'recheckRegistry'>, log: GateLog, intervalMs = 60_000): RegistryRechecks {
  const registryTimer = setInterval(
    () => void packs.recheckRegistry().catch((error: unknown) => log.warn(`registry recheck: ${(error as Error).message}`)),
    intervalMs,
  );
  registryTimer.unref();
  return { stop: () => clearInterval(registryTimer) };
}
