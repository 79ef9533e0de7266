import { expect } from 'chai';
import * as path from 'node:path';
import { loadRules } from '../src/rules/load';
import { COLLECTIONS } from '../src/lint';
import { writeFileSync } from 'node:fs';
import { scratch } from './snapshot-helpers';

const BROKEN = path.join('test', 'fixtures', 'broken-rules');

/** Each broken rule file and the one message (code, line:column, text) it must get. */
const EXPECTED: [string, string, string, string][] = [
  ['alias-bomb', 'rule-yaml', '1:1', 'Excessive alias count'],
  ['bad-regex', 'rule-invalid', '8:10', "regular expression '(web|db' is not valid RE2"],
  ['bad-severity', 'rule-schema', '3:11', 'must be one of: critical, high, medium, low, info'],
  // A Latin-1 byte: replaced by U+FFFD, the value would match no device.
  ['invalid-utf8', 'rule-yaml', '6:46', 'file is not valid UTF-8'],
  ['bad-template-filter', 'rule-invalid', '7:10', "unknown template filter 'shout'"],
  ['condition-without-kind', 'rule-schema', '9:7', "assert.allOf.1: needs one of: field, allOf, anyOf, not, any, all, none, count, condition (did you mean 'field' for 'fiield'?)"],
  ['duplicate-key', 'rule-yaml', '4:1', 'Map keys must be unique'],
  ['id-not-file-name', 'rule-invalid', '1:5', "rule id 'another-name' must equal its file name 'id-not-file-name'"],
  ['jsonpath-script', 'rule-invalid', '7:10', 'uses a filter or script expression'],
  ['missing-assert', 'rule-schema', '1:1', "missing required property 'assert'"],
  ['requires-any-unknown-join', 'rule-invalid', '8:19', "'health' is not a join of this rule"],
  ['typo-in-operator', 'rule-schema', '8:3', "unknown property 'equal' (did you mean 'equals'?)"],
  // What other rule languages call an operator is named with ours.
  ['operator-from-another-language', 'rule-schema', '6:29', "unknown property 'lte' (did you mean 'lessOrEqual'?)"],
  ['where-not-a-condition', 'rule-schema', '6:8', 'where: must be object'],
  ['unknown-collection', 'rule-invalid', '5:6', "unknown collection 'mde.machine' (did you mean 'mde.machines'?)"],
  ['unknown-param', 'rule-invalid', '6:44', "unknown parameter 'linuxPlatform'"],
  ['unknown-top-level-key', 'rule-schema', '6:1', "unknown property 'asert' (did you mean 'assert'?)"],
  ['yaml-syntax', 'rule-yaml', '7:1', 'Flow map in block collection'],
  ['count-without-bound', 'rule-invalid', '6:9', "'count' needs a bound: equals, notEquals, less"],
  ['empty-allof', 'rule-schema', '6:18', 'assert.allOf: must NOT have fewer than 1 items'],
  ['for-wrong-type', 'rule-schema', '5:6', 'for: must be string, array or object'],
  ['keyless-join-not-many', 'rule-invalid', '7:12', 'a join without `on` joins every record, so it needs many: true'],
  ['let-shadows-join', 'rule-invalid', '9:7', "'av' is already a join name"],
  ['operand-wrong-type', 'rule-schema', '6:34', 'assert.in: must be object or array'],
  ['regex-lookahead', 'rule-invalid', '6:42', 'invalid or unsupported Perl syntax'],
  ['two-operators', 'rule-invalid', '6:9', 'a field condition takes exactly one operator, found equals, notEquals'],
  ['unclosed-template-section', 'rule-invalid', '7:10', "section '{{#machineTags}}' is never closed with '{{/machineTags}}'"],
  ['unknown-value-reference', 'rule-invalid', '6:46', "unknown value reference '$facts' (use $field, $param or $fact)"],
  // Names that read nothing: a rule over them would fail or pass on absent data, so it never loads.
  ['field-typo-in-join', 'rule-name-unknown', '8:18', "'av.avMod': mde.avHealth records have no field 'avMod' in their schema (did you mean 'avMode'?)"],
  ['quantifier-over-typo', 'rule-name-unknown', '11:18', "'owner': 'owner' names nothing this rule declares here and is not a field of arm.subscriptions records (did you mean the join 'owners'?)"],
  ['field-below-a-string', 'rule-name-unknown', '6:18', "'osPlatform.name': 'osPlatform' of mde.machines records is a string, so it has no field 'name'"],
  // The compliance view would list the rule twice under ES-1 and take the fuller claim.
  ['control-listed-twice', 'rule-invalid', '12:11', 'control ES-1 of mcsb@v1 is listed twice'],
  // A field as az prints it: the loader lifts it under properties, so the rule would read nothing.
  ['az-form-field', 'rule-name-unknown', '6:17', "'roleDefinitionName': az prints 'roleDefinitionName' at the top level, but rules read arm.roleAssignments records in their REST shape: write 'properties.roleDefinitionName'"],
  // An operator on a list compares the whole list, so it cannot say anything of its elements.
  ['list-compared-through-many-join', 'rule-list-compared', '10:25', "'devices.healthStatus' is a list ('devices' is a many join), and 'equals' compares the whole list, so it cannot test its elements: test each element, as in { any: devices, satisfies: { field: item.healthStatus, equals: … } }"],
  ['list-compared-array-field', 'rule-list-compared', '6:18', "'machineTags' is a list ('machineTags' of mde.machines records is an array), and 'notEquals' compares the whole list"],
  ['message-names-nothing', 'rule-name-unknown', '9:38', "'avv.avMode': 'avv' names nothing this rule declares here and is not a field of mde.machines records (did you mean the join 'av'?)"],
];


describe('rule loading', () => {
  it('loads the built-in rules without a diagnostic', async () => {
    const { rules, diagnostics } = await loadRules(['rules'], { collections: COLLECTIONS });
    expect(diagnostics).to.deep.equal([]);
    expect(rules.map((r) => r.meta.id)).to.include.members(['subscription-tenant-matches-xdr', 'device-groups-cover-rbac-scopes', 'linux-realtime-protection-on']);
  });

  describe('gives each broken rule file one precise, positioned message', () => {
    for (const [name, code, pos, text] of EXPECTED) {
      it(name, async () => {
        const { rules, diagnostics } = await loadRules([path.join(BROKEN, `${name}.yaml`)], { collections: COLLECTIONS });
        expect(rules, 'a broken rule never loads').to.have.length(0);
        expect(diagnostics.map((d) => `${d.code} ${d.position?.line}:${d.position?.column}`)).to.deep.equal([`${code} ${pos}`]);
        expect(diagnostics[0].message).to.include(text);
        expect(diagnostics[0].file).to.equal(`${BROKEN.split(path.sep).join('/')}/${name}.yaml`);
      });
    }
  });

  it('covers every file in the broken-rules catalogue, which holds at least 20 kinds of mistake', async () => {
    const { diagnostics } = await loadRules([BROKEN], { collections: COLLECTIONS });
    const files = new Set(diagnostics.map((d) => path.basename(d.file!, '.yaml')));
    expect([...files].sort()).to.deep.equal(EXPECTED.map((e) => e[0]).sort());
    expect(files.size).to.be.at.least(20);
  });

  it('warns, at the join, about a join nothing in the rule reads; a join the assert or a JSONPath reads is not', async () => {
    const rule = (id: string, join: string, assert: string) =>
      `id: ${id}\ntitle: t\nseverity: high\ndescription: d\nfor: mde.machines\njoin:\n${join}assert: ${assert}\nmessage: m\n`;
    const { dir, cleanup } = scratch();
    try {
      writeFileSync(path.join(dir, 'unread.yaml'), rule('unread', '  av: { from: mde.avHealth, on: { local: id, foreign: machineId } }\n', '{ field: healthStatus, equals: Active }'));
      const unread = await loadRules([path.join(dir, 'unread.yaml')], { collections: COLLECTIONS });
      expect(unread.rules, 'a warning leaves the rule valid').to.have.length(1);
      expect(unread.diagnostics.map((d) => `${d.severity} ${d.code} ${d.position?.line}:${d.position?.column}`)).to.deep.equal(['warning rule-join-unread 7:7']);
      expect(unread.diagnostics[0].message).to.equal("join 'av' is read by nothing in this rule: read it in where, assert or message, or remove it");
      writeFileSync(path.join(dir, 'read.yaml'), rule('read', '  av: { from: mde.avHealth, on: { local: id, foreign: machineId } }\n', '{ field: av.avMode, equals: Active }'));
      writeFileSync(path.join(dir, 'jsonpath.yaml'), rule('jsonpath', '  av: { from: mde.avHealth, on: { local: id, foreign: machineId } }\n', "{ field: '$.av.avMode', equals: Active }"));
      const read = await loadRules([path.join(dir, 'read.yaml'), path.join(dir, 'jsonpath.yaml')], { collections: COLLECTIONS });
      expect(read.diagnostics).to.deep.equal([]);
    } finally {
      cleanup();
    }
  });

  it('lets a rule test a list with exists, contains, a literal list, an index, or element by element; an operator on the list through a named condition is refused at the reference', async () => {
    const rule = (id: string, body: string) =>
      `id: ${id}\ntitle: t\nseverity: high\ndescription: d\nfor: arm.virtualMachines\njoin:\n  devices: { from: mde.machines, on: { local: id, foreign: serverId }, many: true }\n${body}message: m\n`;
    const { dir, cleanup } = scratch();
    try {
      const meant = [
        'assert: { field: devices, exists: true }',
        'assert: { field: devices.machineTags, contains: prod }',
        'assert: { field: devices.healthStatus, equals: [Active] }',
        "assert: { field: 'devices[0].healthStatus', equals: Active }",
        'assert: { any: devices, satisfies: { field: item.machineTags, contains: prod } }',
        'assert: { all: devices, satisfies: { condition: live-device, on: item } }',
        'let:\n  live: { select: devices, where: { field: item.healthStatus, equals: Active } }\nassert: { count: live, greater: 0 }',
      ];
      meant.forEach((body, i) => writeFileSync(path.join(dir, `meant-${i}.yaml`), rule(`meant-${i}`, `${body}\n`)));
      const loaded = await loadRules([dir], { collections: COLLECTIONS });
      expect(loaded.diagnostics).to.deep.equal([]);
      expect(loaded.rules).to.have.length(meant.length);

      writeFileSync(path.join(dir, 'meant-0.yaml'), rule('meant-0', 'assert: { not: { condition: live-device, on: devices } }\n'));
      const refused = await loadRules([path.join(dir, 'meant-0.yaml')], { collections: COLLECTIONS });
      expect(refused.rules).to.have.length(0);
      expect(refused.diagnostics.map((d) => d.code)).to.deep.equal(['rule-list-compared']);
      expect(refused.diagnostics[0].message).to.match(/^'devices\.\w+' is a list \('devices' is a many join\).*\(in condition 'live-device' at rules\/conditions\/mde\.conditions\.yaml:\d+:\d+\)$/);
    } finally {
      cleanup();
    }
  });

  it('reports a rule id defined twice', async () => {
    const { diagnostics } = await loadRules(['rules', 'rules/linux-realtime-protection-on.yaml'], { collections: COLLECTIONS });
    expect(diagnostics.map((d) => d.code)).to.deep.equal(['rule-duplicate-id']);
  });

  it('reports a rule path that does not exist', async () => {
    const { diagnostics } = await loadRules(['no/such/rules'], { collections: COLLECTIONS });
    expect(diagnostics[0]).to.include({ code: 'rules-missing', severity: 'error' });
  });
});
