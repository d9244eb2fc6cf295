// The comparator for load runs: a bare uWS server that answers POST /v1/check
// with the JSON body it received. Same HTTP stack, same body reading, no work:
// the ceiling of this machine and load generator.
import { serveChecks } from './comparator-server.js';

serveChecks('echo', (body, answer) => answer(body));
