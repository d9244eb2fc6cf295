// RE2's simplifier logs one line per visit it gives up on (`CoalesceWalker::ShortVisit
// called`) when it builds a large RE2.Set: tens of thousands of lines through
// Abseil's logging, which a Node process cannot turn off. The bench runs itself in
// a child whose standard error passes through here: those lines are counted and
// summed up once, everything else is printed as it comes.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const CHILD_MARK = 'BENCH_RE2_LOG_FILTERED';
const RE2_LOG_LINE = /CoalesceWalker::ShortVisit called|All log messages before absl::InitializeLog\(\) is called/;

/** True in the child that runs the benches. */
export function insideFilteredChild(): boolean {
  return process.env[CHILD_MARK] === '1';
}

/** Runs this same script again as a child with RE2's log lines filtered out of its standard error; resolves with its exit code. */
export function rerunWithRe2LogFiltered(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, [CHILD_MARK]: '1' },
    stdio: ['inherit', 'inherit', 'pipe'],
  });
  let dropped = 0;
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (RE2_LOG_LINE.test(line)) dropped++;
      else process.stderr.write(`${line}\n`);
    });
  }
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      if (dropped > 0) console.log(`\n(RE2 wrote ${dropped.toLocaleString('en')} lines of its own log while building large RE2.Sets; left out above)`);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
