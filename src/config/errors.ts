/** Configuration errors that name the key, where its value came from, and what is wrong. */
import { BridgeError } from '../errors.js';

export interface ConfigIssue {
  /** Dotted path (`mqtt.base_topic`), or the raw name when it maps to no key (an unknown env var). */
  path: string;
  /** Where the value came from: an env var name, `/data/options.json key "profile"`, a file path. */
  source?: string;
  reason: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.source
    ? `${issue.path} (from ${issue.source}): ${issue.reason}`
    : `${issue.path}: ${issue.reason}`;
}

/** Thrown for any invalid configuration; `issues` lists every problem found, not just the first. */
export class ConfigError extends BridgeError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const lines = issues.map(formatIssue);
    super(
      lines.length === 1
        ? lines[0]!
        : `${lines.length} configuration errors:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    );
    this.issues = issues;
  }
}
