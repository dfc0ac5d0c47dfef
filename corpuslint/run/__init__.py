"""What every engine shares: discovery, selection, suppressions, baselines, the rule executor."""
