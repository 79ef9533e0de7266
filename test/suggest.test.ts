/** The "did you mean" hint every unknown-name message shares. */
import { expect } from 'chai';
import { closest, didYouMean } from '../src/suggest';

/** posture-lint's commands, in the order main.ts lists them. */
const COMMANDS = ['lint', 'rules', 'explain', 'validate', 'test', 'init', 'baseline', 'trend'];

describe('did-you-mean hints', () => {
  it('counts a swap of two adjacent letters as one edit, and keeps the first of equally close names', () => {
    // One swap from lint, one substitution from init: lint is listed first.
    expect(closest('lnit', COMMANDS)).to.equal('lint');
    expect(closest('recomended', ['all', 'none', 'recommended'])).to.equal('recommended');
    // Two swaps: two edits, close enough for an 11-letter name (four as insertions and deletions were not).
    expect(closest('rceommedned', ['all', 'none', 'recommended'])).to.equal('recommended');
  });

  it('builds the suffix, written as the user types the name, or nothing when no name is close', () => {
    expect(didYouMean('formt', ['format', 'output'], (o) => `--${o}`)).to.equal(" (did you mean '--format'?)");
    expect(didYouMean('strictest', ['all', 'none', 'recommended'])).to.equal('');
  });
});
