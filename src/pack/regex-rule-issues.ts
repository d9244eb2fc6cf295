// The regex rules of a pack that does not validate, compiled one by one, so that
// a refusal names every bad entry at once (issue 29: a rule that does not compile
// was named only once the pack's other problems were fixed).
import { REGEX_RULE_FLAGS } from '../matcher/pattern-plan.js';
import { isPatternCompileError, rulesEngine } from '../native/rules-engine.js';
import type { FieldIssue } from '../validation/field-issues.js';

export function regexRuleIssues(raw: unknown): FieldIssue[] {
  const rules = typeof raw === 'object' && raw !== null ? (raw as { rules?: unknown }).rules : undefined;
  if (!Array.isArray(rules)) return [];
  const issues: FieldIssue[] = [];
  rules.forEach((rule: unknown, i) => {
    if (typeof rule !== 'object' || rule === null) return;
    const { type, pattern } = rule as { type?: unknown; pattern?: unknown };
    if (type !== 'regex' || typeof pattern !== 'string' || pattern.length === 0 || pattern.length > 1024) return;
    try {
      rulesEngine.compile([{ id: 0, expression: pattern, flags: REGEX_RULE_FLAGS }]).close();
    } catch (error) {
      issues.push({ path: `rules[${i}].pattern`, message: `does not compile: ${isPatternCompileError(error) ? error.reason : (error as Error).message}` });
    }
  });
  return issues;
}
