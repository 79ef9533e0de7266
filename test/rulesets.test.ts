import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { listRulesets, selectRuleset } from '../src/rules/rulesets';

const builtinIds = readdirSync('rules').filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''));

describe('rule sets', () => {
  it('name only built-in rules, in every version', async () => {
    for (const set of await listRulesets()) {
      for (const [version, ids] of set.versions) {
        for (const id of ids) expect(builtinIds, `${set.name}@${version}`).to.include(id);
      }
    }
  });

  it('ship a recommended set', async () => {
    const names = (await listRulesets()).map((s) => s.name);
    expect(names).to.include('recommended');
  });

  it('resolve a bare name to the newest version and name@version to that version', async () => {
    const sets = await listRulesets();
    const rec = sets.find((s) => s.name === 'recommended')!;
    const newest = Math.max(...rec.versions.keys());
    const bare = await selectRuleset('recommended');
    expect(bare).to.have.property('label', `recommended@${newest}`);
    const pinned = await selectRuleset('recommended@1');
    expect(pinned).to.have.property('label', 'recommended@1');
    expect([...((pinned as { ids: Set<string> }).ids)].sort()).to.deep.equal([...rec.versions.get(1)!].sort());
  });

  it('treat all and none as every built-in rule and no built-in rule', async () => {
    expect(await selectRuleset('all')).to.deep.equal({ label: 'all' });
    expect(await selectRuleset('none')).to.deep.equal({ label: 'none', ids: new Set() });
    expect(await selectRuleset('Recommended')).to.be.a('string');
  });

  it('refuse a version of all or none, and name a misspelt set with the version asked for, where the set has it', async () => {
    // Not "unknown rule set 'all' (did you mean 'all'?)".
    expect(await selectRuleset('all@1')).to.equal("rule set 'all' has no versions: give 'all'");
    expect(await selectRuleset('none@2')).to.equal("rule set 'none' has no versions: give 'none'");
    // A bare name would run the newest version, not the one a pipeline pinned.
    expect(await selectRuleset('recomended@1')).to.equal("unknown rule set 'recomended' (did you mean 'recommended@1'?) (known: all, none, recommended)");
    expect(await selectRuleset('Recommended@1')).to.equal("'Recommended@1' is not a rule set name (did you mean 'recommended@1'?) (name or name@version; known: all, none, recommended)");
    expect(await selectRuleset('recomended@99')).to.equal("unknown rule set 'recomended' (known: all, none, recommended)");
    expect(await selectRuleset('recomended')).to.equal("unknown rule set 'recomended' (did you mean 'recommended'?) (known: all, none, recommended)");
  });
});
