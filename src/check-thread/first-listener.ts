import type { GateLog } from '../observability/gate-logger.js';

/**
 * Listens on a port `choose` picks, choosing again when `listen` fails on it:
 * a port found free can be taken by another process before it is bound. A port
 * named by configuration (`choose` returns the same one) fails on the first try.
 */
export async function listenOnChosenPort(
  choose: () => Promise<number>,
  listen: (port: number) => Promise<number>,
  options: { attempts: number; chosenFreshly: boolean; log: GateLog },
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await choose();
    try {
      return await listen(port);
    } catch (error) {
      if (!options.chosenFreshly || attempt >= options.attempts) throw error;
      options.log.warn(`could not listen on free port ${port} (taken meanwhile: ${(error as Error).message}); trying another`);
    }
  }
}
