// Starts the Redis Streams intake when GATE_INTAKE_STREAM is set: its own
// connection for blocking reads, and a refusal to start on a Redis Cluster
// where the stream and its :verdicts and :dead streams would not share a slot
// (the script that appends and acknowledges touches all three).
import calculateSlot from 'cluster-key-slot';
import type { Redis } from 'ioredis';
import type { IntakeSettings } from '../config/gate-config.js';
import { connectRedis } from '../redis/connect-redis.js';
import { intakeKeys } from '../redis/redis-keys.js';
import { isCluster } from '../redis/slot-groups.js';
import { StreamIntake, type StreamIntakeParts } from './stream-intake.js';

export interface RunningIntake {
  intake: StreamIntake;
  /** Stops reading, records what it holds, then closes its connection. */
  stop(): Promise<void>;
}

export async function startIntake(
  settings: IntakeSettings,
  redis: Redis,
  redisUrl: string,
  parts: Omit<StreamIntakeParts, 'redis' | 'reader' | 'keys' | 'settings'>,
): Promise<RunningIntake> {
  const keys = intakeKeys(settings.stream);
  if (isCluster(redis) && new Set([keys.stream, keys.verdicts, keys.deadLetters].map((key) => calculateSlot(key))).size > 1) {
    throw new Error(
      `GATE_INTAKE_STREAM "${settings.stream}": on a Redis Cluster the stream, ${keys.verdicts} and ${keys.deadLetters} must share a hash slot; name it with a hash tag, e.g. "${settings.stream.replace(/[{}]/g, '')}{intake}" or "gate:{intake}"`,
    );
  }
  const reader = await connectRedis(redisUrl, 'gate-intake');
  const intake = new StreamIntake({ ...parts, redis, reader, keys, settings });
  intake.start();
  return {
    intake,
    stop: async () => {
      await intake.stop();
      reader.disconnect();
    },
  };
}
