// node dist/scripts/redis-acl.js [prefix]   (after npm run build)
// Prints the ACL line for the gate's user on your own Redis (REDIS_URL), for the
// key prefix the gate runs with (GATE_REDIS_PREFIX, default "gate:"): the rules
// the embedded Redis gives it. Put the line in your ACL file, or run it after
// "ACL SETUSER" without its first word; replace CHANGE-ME with the password
// (or with "#" and the password's SHA-256 in hex) that REDIS_URL carries.
import { gateUserLine } from '../src/redis/gate-redis-acl.js';

const prefix = process.argv[2] ?? process.env.GATE_REDIS_PREFIX ?? 'gate:';
process.stdout.write(`${gateUserLine(prefix, '>CHANGE-ME')}\n`);
