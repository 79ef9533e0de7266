import { expect } from 'chai';
import { printable, terminalText, visible } from '../src/report/text';

// The sanitisers run on export values and rule text from pull requests: a GitHub workflow
// command (`::name::`) must not start any line, and hostile runs of blanks must not stall them.
describe('text sanitisers and GitHub workflow commands', () => {
  it('escape a leading :: after blanks on every line, and leave a :: inside a line', () => {
    const text = '::error::x\n  ::warning::y\nok ::a::b\n\n\t::add-mask::z';
    const expected = '\\u003a:error::x\n  \\u003a:warning::y\nok ::a::b\n\n\t\\u003a:add-mask::z';
    expect(visible(text)).to.equal(expected);
    expect(terminalText(text)).to.equal(expected);
    expect(printable('  ::error::one line')).to.equal('  \\u003a:error::one line');
  });

  it('take time linear in the text on a million blanks or line breaks before a ::', () => {
    // A look-behind over leading blanks rescans the run at every position: hours on these.
    const blanks = `${' '.repeat(1_000_000)}::error::x`;
    const breaks = `${'\n'.repeat(1_000_000)}::error::x`;
    expect(printable(blanks).endsWith('\\u003a:error::x')).to.equal(true);
    expect(visible(breaks).endsWith('\n\\u003a:error::x')).to.equal(true);
    expect(terminalText(breaks).endsWith('\n\\u003a:error::x')).to.equal(true);
  });
});
