// The tokens of the configuration, by role: the event loop and every check thread
// build the same registry from them.
import { TokenRegistry } from './token-registry.js';

export interface TokenConfig {
  adminToken: string | undefined;
  publisherTokens: readonly string[];
  metricsToken: string | undefined;
  reviewerTokens: readonly string[];
  rightsHolderTokens: readonly string[];
}

export function buildTokens(config: TokenConfig): TokenRegistry {
  const tokens = new TokenRegistry();
  if (config.adminToken) tokens.add(config.adminToken, 'admin');
  for (const t of config.publisherTokens) tokens.addNamed(t, 'publisher');
  if (config.metricsToken) tokens.add(config.metricsToken, 'metrics');
  for (const t of config.reviewerTokens) tokens.addNamed(t, 'reviewer');
  for (const t of config.rightsHolderTokens) tokens.addNamed(t, 'rights_holder');
  return tokens;
}
