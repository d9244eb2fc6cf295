#!/usr/bin/env node
// Runs the built hashing tool (npm run build first, which `npm ci` does).
import('../dist/scripts/gate-hash.js');
