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
  ['bad-template-filter', 'rule-invalid', '7:10', "unknown template filter 'shout' (known: count, join"],
  ['typo-in-template-filter', 'rule-invalid', '7:10', "unknown template filter 'lowr' (did you mean 'lower'?) (known: count, join"],
  // A bare plural is refused, so the hint keeps the words the rule gave.
  ['typo-in-plural-filter', 'rule-invalid', '7:59', "unknown template filter 'plurl: tag / tags' (did you mean 'plural: tag / tags'?) (known: count, join"],
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
  ['unknown-param', 'rule-invalid', '6:44', "unknown parameter 'linuxPlatform' (declared: none)"],
  ['typo-in-param', 'rule-invalid', '12:50', "unknown parameter 'exemptPlatform' (did you mean 'exemptPlatforms'?) (declared: exemptPlatforms)"],
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
  ['list-compared-through-many-join', 'rule-list-compared', '10:25', "'devices.healthStatus' is a list ('devices' is a many join), and 'equals' compares the whole list, so it cannot test its elements: test each element, as in { any: devices, satisfies: { field: item.healthStatus, equals: Inactive } }"],
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
      writeFileSync(path.join(dir, 'jsonpath.yaml'), rule('jsonpath', '  av: { from: mde.avHealth, on: { local: id, foreign: machineId } }\n', "{ field: '$.av.avMode', contains: Active }"));
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
        'assert: { count: devices, greater: 0 }',
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

  describe('tells a list from one value wherever the evaluator does', () => {
    const vmRule = (id: string, body: string) =>
      `id: ${id}\ntitle: t\nseverity: high\ndescription: d\nfor: arm.virtualMachines\njoin:\n  devices: { from: mde.machines, on: { local: id, foreign: serverId }, many: true }\n${body}\nmessage: m\n`;
    const rule = (id: string, forSpec: string, body: string) => `id: ${id}\ntitle: t\nseverity: high\ndescription: d\nfor: ${forSpec}\n${body}\nmessage: m\n`;
    const load = async (text: string) => {
      const { dir, cleanup } = scratch();
      try {
        writeFileSync(path.join(dir, 'r.yaml'), text);
        return await loadRules([path.join(dir, 'r.yaml')], { collections: COLLECTIONS });
      } finally {
        cleanup();
      }
    };

    // Each of these evaluated to one verdict for every resource of the demo estate before it was refused.
    const refused: [string, string, string, RegExp][] = [
      // A JSONPath's value is the list of its matches: ['Inactive'] never equals Inactive.
      ['jsonpath compared with a value', 'mde.machines', "assert: { not: { field: '$.healthStatus', equals: Inactive } }", /'\$\.healthStatus' is a list \(a JSONPath's value is the list of its matches\).*\{ any: '\$\.healthStatus', satisfies: \{ field: item, equals: Inactive \} \}/],
      // A name compared with the list of every device's name: never equal.
      ['a $field operand that is a list', 'arm.virtualMachines', 'assert: { not: { field: name, equals: { $field: devices.computerDnsName } } }', /'equals' compares the field with the whole list.*\{ field: name, in: \{ \$field: devices\.computerDnsName \} \}$/],
      // The whole list of statuses is the same key for every device: at most one is counted.
      ['a distinct that does not read the element', 'arm.virtualMachines', 'assert: { not: { count: devices, distinct: devices.healthStatus, greater: 1 } }', /distinct 'devices\.healthStatus' does not read the element 'item'.*item\.healthStatus/],
      // A path on through a list is [] when no element has the field, and [] is there.
      ['exists on a path through a list', 'arm.virtualMachines', 'assert: { field: devices.healthStatus, exists: true }', /'exists' asks only whether that list is there.*\{ any: devices, satisfies: \{ field: item\.healthStatus, exists: true \} \}$/],
      // A many join that matched nothing is an empty list, which is there.
      ['exists on a many join', 'arm.virtualMachines', 'assert: { field: devices, exists: true }', /it is there even when empty, so 'exists' always holds: .*\{ count: devices, greater: 0 \}$/],
      // ipAddresses holds objects: none equals a string.
      ['contains on a list of objects', 'mde.machines', "assert: { not: { field: ipAddresses, contains: '10.10.1.4' } }", /its elements are objects, which 'contains' compares with one value/],
      ['contains on a many join', 'arm.virtualMachines', 'assert: { field: devices, contains: Active }', /its elements are objects/],
      // A one-join selected into a let is a list of one.
      ['a let over a one-join', 'mde.machines', 'join:\n  av: { from: mde.avHealth, on: { local: id, foreign: machineId } }\nlet:\n  a: { select: av }\nassert: { field: a.avMode, equals: Active }', /'a\.avMode' is a list \('a' is a let\)/],
      // A named condition applied to a group's items reads every record's field at once.
      ['a named condition on items', '{ from: mde.machines, groupBy: rbacGroupName }', 'assert: { not: { condition: live-device, on: items } }', /'items\.deviceState' is a list \('items' is the group's records\).*\(in condition 'live-device' at /],
      // A list of lists is named by its first list, and each element is asked with contains.
      ['a list field through a many join', 'arm.virtualMachines', 'assert: { field: devices.machineTags, notEquals: decommissioned }', /^'devices\.machineTags' is a list \('devices' is a many join\).*\{ none: devices, satisfies: \{ field: item\.machineTags, contains: decommissioned \} \}/],
      ['a join filter', 'arm.virtualMachines', 'join:\n  devices: { from: mde.machines, on: { local: id, foreign: serverId }, many: true, where: { not: { field: machineTags, equals: decommissioned } } }\nassert: { count: devices, greater: 0 }', /'machineTags' is a list.*\{ field: machineTags, contains: decommissioned \}$/],
    ];
    for (const [name, forSpec, body, message] of refused) {
      it(`refuses ${name}`, async () => {
        const loaded = await load(forSpec === 'arm.virtualMachines' && body.startsWith('assert') ? vmRule('r', body) : rule('r', forSpec, body));
        expect(loaded.rules).to.have.length(0);
        expect(loaded.diagnostics).to.have.length(1);
        expect(loaded.diagnostics[0].message).to.match(message);
      });
    }

    it('loads a list compared with a list parameter, and the key of a group over an array field (one element)', async () => {
      const withParameter = await load(rule('r', 'mde.machines', 'parameters:\n  expected: { type: list, items: string, default: [contoso-prod] }\nassert: { field: machineTags, equals: { $param: expected } }'));
      expect(withParameter.diagnostics).to.deep.equal([]);
      const groupKey = await load(rule('r', '{ from: mde.machines, groupBy: machineTags }', 'assert: { field: key, notEquals: contoso-prod }'));
      expect(groupKey.diagnostics).to.deep.equal([]);
      // A parameter that is one string is still one value compared with a list.
      const withString = await load(rule('r', 'mde.machines', 'parameters:\n  expected: { type: string, default: contoso-prod }\nassert: { field: machineTags, equals: { $param: expected } }'));
      expect(withString.diagnostics.map((d) => d.code)).to.deep.equal(['rule-list-compared']);
    });

    it('suggests a rewrite that, pasted in place of the condition, loads', async () => {
      const shapes: [string, string][] = [
        ['arm.virtualMachines', '{ not: { field: devices.healthStatus, equals: Inactive } }'],
        ['mde.machines', '{ field: machineTags, notEquals: decommissioned }'],
        ['mde.machines', "{ not: { field: '$.healthStatus', equals: Inactive } }"],
        ['arm.virtualMachines', '{ field: devices.healthStatus, exists: true }'],
        ['arm.virtualMachines', '{ field: devices, exists: true }'],
        ['arm.virtualMachines', '{ not: { field: name, equals: { $field: devices.computerDnsName } } }'],
        ['mde.machines', "{ field: ipAddresses.ipAddress, in: ['10.10.1.4', 10.10.1.5] }"],
        // Each joined device's tags are a list too: the element is asked whether it holds the value.
        ['arm.virtualMachines', '{ field: devices.machineTags, notEquals: decommissioned }'],
      ];
      for (const [forSpec, condition] of shapes) {
        const make = (c: string) => (forSpec === 'arm.virtualMachines' ? vmRule('r', `assert: ${c}`) : rule('r', forSpec, `assert: ${c}`));
        const refusedOne = await load(make(condition));
        expect(refusedOne.diagnostics, condition).to.have.length(1);
        // The first condition the message writes out, braces balanced.
        const message = refusedOne.diagnostics[0].message;
        const start = message.indexOf('{');
        let depth = 0;
        let end = start;
        for (; end < message.length; end++) {
          depth += message[end] === '{' ? 1 : message[end] === '}' ? -1 : 0;
          if (depth === 0) break;
        }
        const suggested = message.slice(start, end + 1);
        expect(start, message).to.be.at.least(0);
        const pasted = await load(make(suggested));
        expect(pasted.diagnostics, `${condition} → ${suggested}`).to.deep.equal([]);
      }
    });
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
