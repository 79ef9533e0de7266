import { expect } from 'chai';
import { FORMATTERS, formatterNames, getFormatter } from '../src/report/formatters';
import { github } from '../src/report/formatters/github';
import { json } from '../src/report/formatters/json';
import { junit } from '../src/report/formatters/junit';
import { sarif } from '../src/report/formatters/sarif';
import { stylish } from '../src/report/formatters/stylish';
import { contosoReport, formatContext } from './report-fixture';

describe('report formatter registry', () => {
  it('lists the format names sorted, for usage messages', () => {
    expect(formatterNames()).to.deep.equal(['github', 'html', 'json', 'junit', 'markdown', 'markdown-comment', 'sarif', 'stylish']);
  });

  it('resolves each name to its formatter', () => {
    expect(getFormatter('json')).to.equal(json);
    expect(getFormatter('stylish')).to.equal(stylish);
    expect(getFormatter('sarif')).to.equal(sarif);
    expect(getFormatter('junit')).to.equal(junit);
    expect(getFormatter('github')).to.equal(github);
  });

  it('gives undefined for unknown names, including names inherited from Object', () => {
    for (const name of ['SARIF', 'xml', 'Stylish', '', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(getFormatter(name), name).to.equal(undefined);
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(FORMATTERS)).to.equal(true);
  });

  it('has formatters that each end their output with a newline', () => {
    for (const name of formatterNames()) {
      const out = getFormatter(name)!(contosoReport(), formatContext(false));
      expect(out.endsWith('\n'), name).to.equal(true);
    }
  });
});
