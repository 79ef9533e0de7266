import { expect } from 'chai';
import { FORMATTERS, formatterNames, getFormatter } from '../src/report/formatters';
import { json } from '../src/report/formatters/json';
import { stylish } from '../src/report/formatters/stylish';
import { contosoReport, formatContext } from './report-fixture';

describe('report formatter registry', () => {
  it('lists the format names sorted, for usage messages', () => {
    expect(formatterNames()).to.deep.equal(['json', 'stylish']);
  });

  it('resolves each name to its formatter', () => {
    expect(getFormatter('json')).to.equal(json);
    expect(getFormatter('stylish')).to.equal(stylish);
  });

  it('gives undefined for unknown names, including names inherited from Object', () => {
    for (const name of ['sarif', 'Stylish', '', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
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
