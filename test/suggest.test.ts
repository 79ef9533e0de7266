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

  it('reads candidates given as an iterator (a Map\'s keys) for a shortened name as for a list', () => {
    const rules = new Map([['vm-onboarded-to-mde', 1], ['mde-device-healthy', 2]]);
    expect(closest('vm-onboard', rules.keys())).to.equal('vm-onboarded-to-mde');
  });

  it('measures no name longer than a name can be: a 100 KB key, or a 20 KB key against a 20 KB name, is answered at once', function () {
    this.timeout(2_000);
    const ids = Array.from({ length: 50 }, (_, i) => `rule-number-${i}`);
    expect(closest(`rule-number-${'x'.repeat(100_000)}`, ids)).to.equal(undefined);
    const long = 'p'.repeat(20_000);
    expect(closest(`${long}a`, [`${long}b`])).to.equal(undefined);
    // Names as long as rule ids (80 characters) still get their hint.
    const id = 'a'.repeat(80);
    expect(closest(`${id}x`, [id])).to.equal(id);
  });
});
