/**
 * Named conditions (src/rules/named-conditions.ts, src/rules/expand.ts): defined once in a
 * `*.conditions.yaml` file, with typed parameters, used by rules as `{ condition: name, with }`.
 * The fixture test/fixtures/named-conditions is a custom rule with its own conditions file (which
 * uses posture-lint's own `live-device` and `linux-device`) and pass/fail cases.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { lint } from '../src/lint';
import { loadRules } from '../src/rules/load';
import { loadConfig } from '../src/config';
import { COLLECTIONS } from '../src/lint';
import { MAX_EXPANDED_NODES, MAX_REFERENCE_DEPTH } from '../src/rules/expand';
import { scratch } from './snapshot-helpers';
import { CONTOSO, CONTOSO_NOW, pollution, ROOT } from './adversarial-helpers';
import type { Diagnostic } from '../src/diagnostics';

const FIXTURE = join(__dirname, 'fixtures', 'named-conditions');
const FAIL_CASE = join(FIXTURE, 'prod-linux-healthy.tests', 'fail-prod-linux-inactive');
const NOW = new Date('2026-11-27T02:00:00Z');
const BIN = resolve('dist/src/cli/bin.js');

/** `file line:col message` of each diagnostic, for assertions that name the place. */
function placed(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.file} ${d.position?.line}:${d.position?.column} ${d.message}`);
}

/** A rule over MDE machines whose `where` is given, in a file of its own. */
function ruleText(id: string, where: string, extra = ''): string {
  return [
    `id: ${id}`,
    'title: Test rule',
    'severity: low',
    'description: A rule that uses named conditions.',
    extra,
    'for: mde.machines',
    `where: ${where}`,
    'assert: { field: healthStatus, equals: Active }',
    'message: "{{computerDnsName}} is {{healthStatus}}"',
    '',
  ].filter((l) => l !== '').join('\n');
}

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('named conditions', function () {
  this.timeout(60_000);
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = scratch()));
  afterEach(() => cleanup());

  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const load = (inputs: string[] = [dir]) => loadRules(inputs, { collections: COLLECTIONS, cwd: dir });

  describe('references', () => {
    it('a rule passes its parameter as an argument: the condition selects what the rule checks', async () => {
      const { report } = await lint({ snapshot: FAIL_CASE, ruleset: 'none', rules: [FIXTURE], now: NOW });
      expect(report.rules.map((r) => [r.id, r.status])).to.deep.equal([['prod-linux-healthy', 'failed']]);
      expect(report.findings.map((f) => f.message)).to.deep.equal(['lnx-prod-02 is Inactive']);
      // Configured production tags reach the condition through the rule's parameter: no device has them.
      write('posture-lint.yaml', 'parameters:\n  prod-linux-healthy:\n    prodTags: [contoso-production]\n');
      const { config } = await loadConfig(join(dir, 'posture-lint.yaml'), dir);
      const other = await lint({ snapshot: FAIL_CASE, ruleset: 'none', rules: [FIXTURE], now: NOW, config });
      expect(other.report.rules.map((r) => r.status)).to.deep.equal(['checked-nothing']);
    });

    it('an argument left out takes the parameter\'s default; one given replaces it', async () => {
      writeFileSync(join(dir, 'servers.conditions.yaml'), readFileSync(join(FIXTURE, 'servers.conditions.yaml')));
      write('by-default.yaml', ruleText('by-default', '{ condition: prod-linux }'));
      write('given.yaml', ruleText('given', '{ condition: prod-linux, with: { prodTags: [contoso-dev] } }'));
      const { rules, diagnostics } = await load();
      expect(diagnostics).to.deep.equal([]);
      const { report } = await lint({ snapshot: FAIL_CASE, ruleset: 'none', rules: [dir], now: NOW });
      const byId = Object.fromEntries(report.rules.map((r) => [r.id, r.status]));
      expect(byId).to.deep.equal({ 'by-default': 'failed', given: 'checked-nothing' });
      expect(rules.find((r) => r.meta.id === 'by-default')!.conditions!.map((c) => c.name)).to.deep.equal(['linux-device', 'live-device', 'prod-linux', 'tagged']);
    });

    it('an unknown name is an error at the reference, with the closest name', async () => {
      write('typo.yaml', ruleText('typo', '{ condition: linux-devise }'));
      const { rules, diagnostics } = await load();
      expect(rules).to.deep.equal([]);
      expect(placed(diagnostics)).to.deep.equal([
        "typo.yaml 6:21 unknown condition 'linux-devise' (did you mean 'linux-device'?): a rule may use posture-lint's own named conditions and those of the *.conditions.yaml files given with the rules (the file, or its folder)",
      ]);
    });

    it('wrong, unknown and missing arguments are errors at the argument or the reference', async () => {
      write('args.conditions.yaml', [
        'conditions:',
        '  seen-within:',
        '    description: The device was seen within the given number of days.',
        '    parameters:',
        '      days: { type: number, minimum: 0, description: Days. }',
        '    condition: { field: lastSeen, withinDays: { $param: days } }',
        '',
      ].join('\n'));
      const rule = ruleText('args', [
        '',
        '  allOf:',
        '    - { condition: seen-within }',
        '    - { condition: seen-within, with: { days: "7" } }',
        '    - { condition: seen-within, with: { day: 7 } }',
        '    - { condition: seen-within, with: { days: { $param: window } } }',
        '    - { condition: seen-within, with: { days: { $param: windw } } }',
      ].join('\n'), 'parameters:\n  window: { type: string, default: "7" }');
      write('args.yaml', rule);
      const { rules, diagnostics } = await load();
      expect(rules).to.deep.equal([]);
      expect(placed(diagnostics)).to.deep.equal([
        "args.yaml 10:20 condition 'seen-within' needs the argument 'days' (a number ≥ 0): give it under 'with'",
        "args.yaml 11:47 argument 'days' of condition 'seen-within': expected a number ≥ 0, got a string (\"7\")",
        "args.yaml 12:46 condition 'seen-within' has no parameter 'day' (did you mean 'days'?) (parameters: days)",
        "args.yaml 14:57 unknown parameter 'windw' (did you mean 'window'?) (declared: window)",
        "args.yaml 13:47 argument 'days' of condition 'seen-within': parameter 'window' does not fit: expected a number ≥ 0, got a string (\"7\")",
      ]);
    });

    it('a name the condition reads that the rule\'s records lack is an error at the reference, naming the place in the condition\'s file', async () => {
      write('vms.yaml', ruleText('vms', '{ condition: live-device }').replace('for: mde.machines', 'for: arm.virtualMachines').replace(/assert:.*\n/, 'assert: { field: id, exists: true }\n').replace(/message:.*/, 'message: "{{id}}"'));
      const { rules, diagnostics } = await load();
      expect(rules).to.deep.equal([]);
      const own = readFileSync(join(ROOT, 'rules', 'conditions', 'mde.conditions.yaml'), 'utf8').split('\n');
      const line = own.findIndex((l) => l.includes('condition: { field: deviceState, equals: Live }')) + 1;
      expect(diagnostics).to.have.length(1);
      expect(diagnostics[0]).to.include({ code: 'rule-name-unknown', file: 'vms.yaml' });
      expect(diagnostics[0].position).to.deep.equal({ line: 6, column: 21 });
      expect(diagnostics[0].message).to.match(new RegExp(`^'deviceState': 'deviceState' is not declared by this rule and is not a field of arm\\.virtualMachines records .*\\(in condition 'live-device' at .*rules/conditions/mde\\.conditions\\.yaml:${line}:\\d+\\)$`));
    });
  });

  describe('on: a condition about something other than the record', () => {
    const vmRule = (id: string, where: string) => [
      `id: ${id}`,
      'title: VMs have a production device',
      'severity: low',
      'description: Every VM has a Defender for Endpoint device tagged as production.',
      'for: arm.virtualMachines',
      'join:',
      '  devices: { from: mde.machines, on: { local: properties.vmId, foreign: vmMetadata.vmId }, many: true }',
      'let:',
      '  prodDevices:',
      '    select: devices',
      `    where: ${where}`,
      'assert: { count: prodDevices, greater: 0 }',
      'message: "{{name}} has no production device"',
      '',
    ].join('\n');

    it('reads the condition on the element: the same findings as the condition written out by hand', async () => {
      writeFileSync(join(dir, 'servers.conditions.yaml'), readFileSync(join(FIXTURE, 'servers.conditions.yaml')));
      // `tagged` binds its own `item` (each machine tag): that one is not the device.
      write('by-name.yaml', vmRule('by-name', '{ condition: tagged, on: item, with: { tags: [contoso-prod] } }'));
      write('by-hand.yaml', vmRule('by-hand', '{ any: item.machineTags, satisfies: { field: item, in: [contoso-prod] } }'));
      const { report } = await lint({ snapshot: CONTOSO, ruleset: 'none', rules: [dir], now: CONTOSO_NOW });
      const of = (id: string) => report.findings.filter((f) => f.ruleId === id).map((f) => f.resource.id);
      const status = Object.fromEntries(report.rules.map((r) => [r.id, [r.status, r.evaluated, r.failed]]));
      expect(status['by-name']).to.deep.equal(status['by-hand']);
      expect(of('by-name')).to.deep.equal(of('by-hand'));
      expect(of('by-name').length, 'some VMs have no production device').to.be.greaterThan(0);
      expect(report.rules.find((r) => r.id === 'by-name')!.passed, 'and some have one').to.be.greaterThan(0);
    });

    it('on a joined record: the same findings as the condition written out on the join by hand', async () => {
      const joinRule = (id: string, assert: string) =>
        vmRule(id, '{ field: item.id, exists: true }')
          .replace("  devices: { from: mde.machines, on: { local: properties.vmId, foreign: vmMetadata.vmId }, many: true }", '  device: { from: mde.machines, on: { local: properties.vmId, foreign: vmMetadata.vmId } }')
          .replace(/let:\n(    .*\n|  prodDevices:\n)+/, '')
          .replace(/assert: .*/, `assert: ${assert}`);
      write('by-name.yaml', joinRule('by-name', '{ condition: live-device, on: device }'));
      write('by-hand.yaml', joinRule('by-hand', '{ field: device.deviceState, equals: Live }'));
      const { report } = await lint({ snapshot: CONTOSO, ruleset: 'none', rules: [dir], now: CONTOSO_NOW });
      expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      const of = (id: string) => report.findings.filter((f) => f.ruleId === id).map((f) => f.resource.id);
      const status = Object.fromEntries(report.rules.map((r) => [r.id, [r.status, r.evaluated, r.failed, r.passed]]));
      expect(status['by-name']).to.deep.equal(status['by-hand']);
      expect(of('by-name')).to.deep.equal(of('by-hand'));
      const [, evaluated, failed, passed] = status['by-name'] as [string, number, number, number];
      expect(evaluated).to.be.greaterThan(0);
      expect(failed, 'VMs without a live device fail').to.be.greaterThan(0);
      expect(passed, 'VMs with one pass').to.be.greaterThan(0);
    });

    it("'on' a name the rule lacks, or a field without the condition's fields, is an error at the reference", async () => {
      write('typo.yaml', vmRule('typo', '{ condition: live-device, on: itme }'));
      write('field.yaml', vmRule('field', '{ condition: live-device, on: item.vmMetadata }'));
      const { rules, diagnostics } = await load();
      expect(rules).to.deep.equal([]);
      const lines = placed(diagnostics.filter((d) => d.severity === 'error'));
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^field\.yaml 11:25 'item\.vmMetadata\.deviceState': 'vmMetadata' of mde\.machines records has no field 'deviceState' in their schema.* \(in condition 'live-device' at .*rules\/conditions\/mde\.conditions\.yaml:\d+:\d+\)$/);
      expect(lines[1]).to.match(/^typo\.yaml 11:25 'itme\.deviceState': 'itme' names nothing this rule declares here .*\(did you mean the bound element 'item'\?\) \(in condition 'live-device' at .*rules\/conditions\/mde\.conditions\.yaml:\d+:\d+\)$/);
    });

    it('a condition that reads a JSONPath cannot be moved onto an element', async () => {
      write('jp.conditions.yaml', 'conditions:\n  any-tag:\n    description: Some tag.\n    condition: { field: "$.machineTags[*]", exists: true }\n');
      write('jp.yaml', vmRule('jp', '{ condition: any-tag, on: item }'));
      const { rules, diagnostics } = await load();
      expect(rules).to.deep.equal([]);
      expect(placed(diagnostics)).to.deep.equal([
        "jp.yaml 11:25 '$.machineTags[*]' is a JSONPath, which cannot be read on 'item': use this condition without 'on' (in condition 'any-tag' at jp.conditions.yaml:4:25)",
      ]);
    });
  });

  describe('definitions', () => {
    it('a name defined in two conditions files is an error naming both places', async () => {
      const one = 'conditions:\n  prod-device:\n    description: A production device.\n    condition: { any: machineTags, satisfies: { field: item, equals: prod } }\n';
      write('a.conditions.yaml', one);
      write('b.conditions.yaml', `# the same name again\n${one}`);
      const { diagnostics } = await load();
      expect(placed(diagnostics)).to.deep.equal(["b.conditions.yaml 3:3 condition 'prod-device' is defined twice: it is also defined at a.conditions.yaml:2:3"]);
      expect(diagnostics[0].code).to.equal('condition-duplicate');
    });

    it("a conditions file cannot redefine posture-lint's own condition", async () => {
      write('mine.conditions.yaml', 'conditions:\n  live-device:\n    description: Any device.\n    condition: { field: id, exists: true }\n');
      write('r.yaml', ruleText('r', '{ condition: live-device }'));
      const { diagnostics } = await load();
      expect(diagnostics.map((d) => d.code)).to.deep.equal(['condition-duplicate']);
      expect(placed(diagnostics)[0]).to.match(/^mine\.conditions\.yaml 2:3 condition 'live-device' is defined twice: posture-lint's own condition at .*rules\/conditions\/mde\.conditions\.yaml:\d+:3: give yours another name$/);
    });

    it('a condition that reaches itself through others is an error naming the cycle', async () => {
      write('loop.conditions.yaml', [
        'conditions:',
        '  windows-server:',
        '    description: A Windows server, or a server of the other kind.',
        '    condition: { anyOf: [{ field: osPlatform, match: "^WindowsServer" }, { condition: any-server }] }',
        '  any-server:',
        '    description: A server.',
        '    condition: { condition: windows-server }',
        '',
      ].join('\n'));
      write('r.yaml', ruleText('r', '{ condition: any-server }'));
      const { rules, diagnostics } = await load();
      expect(rules).to.deep.equal([]);
      expect(placed(diagnostics)).to.deep.equal([
        // Each definition is refused at its reference to the other, with the place the cycle closes.
        "loop.conditions.yaml 4:87 condition 'windows-server' refers to itself: windows-server → any-server → windows-server",
        "loop.conditions.yaml 7:29 condition 'any-server' refers to itself: any-server → windows-server → any-server",
        "r.yaml 6:21 condition 'any-server' cannot be used: its definition at loop.conditions.yaml:5:3 has errors",
      ]);
    });

    it('expansion is bounded in size: conditions that multiply at each level are refused at their definitions, without being written out', async () => {
      const lines = ['conditions:', '  c0:', '    description: level 0', '    condition: { field: deviceState, equals: Live }'];
      for (let i = 1; i <= MAX_REFERENCE_DEPTH - 1; i++) {
        lines.push(`  c${i}:`, `    description: level ${i}`, `    condition: { allOf: [${Array.from({ length: 8 }, () => `{ condition: c${i - 1} }`).join(', ')}] }`);
      }
      write('bomb.conditions.yaml', `${lines.join('\n')}\n`);
      write('r.yaml', ruleText('r', '{ condition: c7 }'));
      const { rules, diagnostics } = await load();
      expect(rules).to.deep.equal([]);
      // c4 is 8^4 copies of c0 written out and fits; from c5 (8^5) each definition is refused at its name.
      const keyLine = (level: number) => 2 + 3 * level;
      expect(placed(diagnostics)).to.deep.equal([
        ...[5, 6, 7].map((level) => `bomb.conditions.yaml ${keyLine(level)}:3 condition 'c${level}' is more than ${MAX_EXPANDED_NODES} nodes written out: a condition used many times inside others multiplies`),
        `r.yaml 6:21 condition 'c7' cannot be used: its definition at bomb.conditions.yaml:${keyLine(7)}:3 has errors`,
      ]);
    });

    it('checking a long file of conditions that each use the one before costs no more than reading it', async () => {
      // 3,000 levels, each using the previous one 8 times: written out, level 20 alone would be 8^20 nodes.
      const lines = ['conditions:', '  e0:', '    description: level 0', '    condition: { field: deviceState, equals: Live }'];
      for (let i = 1; i < 3000; i++) lines.push(`  e${i}:`, '    description: x', `    condition: { anyOf: [${Array.from({ length: 8 }, () => `{ condition: e${i - 1} }`).join(', ')}] }`);
      write('long.conditions.yaml', `${lines.join('\n')}\n`);
      const { diagnostics } = await load();
      // e0 to e4 fit; every level from e5 up is refused, once.
      expect(diagnostics.length).to.equal(2999 - 4);
      expect(diagnostics.every((d) => d.message.startsWith(`condition 'e`))).to.equal(true);
    });

    it(`expansion is bounded in depth: a definition more than ${MAX_REFERENCE_DEPTH} named conditions deep is refused`, async () => {
      const lines = ['conditions:', '  d0:', '    description: level 0', '    condition: { field: deviceState, equals: Live }'];
      for (let i = 1; i <= MAX_REFERENCE_DEPTH + 1; i++) lines.push(`  d${i}:`, `    description: level ${i}`, `    condition: { not: { condition: d${i - 1} } }`);
      write('deep.conditions.yaml', `${lines.join('\n')}\n`);
      write('seven.yaml', ruleText('seven', `{ condition: d${MAX_REFERENCE_DEPTH - 1} }`));
      const { rules, diagnostics } = await load();
      expect(rules.map((r) => r.meta.id), `d${MAX_REFERENCE_DEPTH - 1} is ${MAX_REFERENCE_DEPTH} deep, which is allowed`).to.deep.equal(['seven']);
      expect(placed(diagnostics)).to.deep.equal([MAX_REFERENCE_DEPTH, MAX_REFERENCE_DEPTH + 1].map((level) => {
        // The chain is shown one past the bound, then cut.
        const names = Array.from({ length: level + 1 }, (_, i) => `d${level - i}`);
        const chain = names.length > MAX_REFERENCE_DEPTH + 1 ? `${names.slice(0, MAX_REFERENCE_DEPTH + 1).join(' → ')} → …` : names.join(' → ');
        return `deep.conditions.yaml ${2 + 3 * level}:3 condition 'd${level}' nests named conditions deeper than ${MAX_REFERENCE_DEPTH} levels: ${chain}`;
      }));
    });

    it('conditions in a file not named *.conditions.yaml get one message saying how to name it', async () => {
      writeFileSync(join(dir, 'shared.yaml'), readFileSync(join(FIXTURE, 'servers.conditions.yaml')));
      const { diagnostics } = await load();
      expect(placed(diagnostics)).to.deep.equal(['shared.yaml 1:1 this file defines named conditions: name it shared.conditions.yaml, as posture-lint tells conditions files from rules by their name']);
    });

    it('a body reads only its own parameters, never the rule\'s', async () => {
      write('leak.conditions.yaml', 'conditions:\n  linux-only:\n    description: Linux.\n    condition: { field: osPlatform, in: { $param: linuxPlatforms } }\n');
      const { diagnostics } = await load();
      expect(placed(diagnostics)).to.deep.equal(["leak.conditions.yaml 4:51 unknown parameter 'linuxPlatforms' (declared: none)"]);
    });

    it('names such as constructor and __proto__ are data: defined, used, refused like any other', async () => {
      write('proto.conditions.yaml', 'conditions:\n  constructor:\n    description: Live.\n    parameters:\n      __proto__: { type: string, default: Live }\n    condition: { field: deviceState, equals: { $param: __proto__ } }\n');
      write('uses.yaml', ruleText('uses', '{ condition: constructor, with: { __proto__: Live } }'));
      write('unknown.yaml', ruleText('unknown', '{ condition: to-string }'));
      write('extra.yaml', ruleText('extra', '{ condition: live-device, with: { constructor: 1 } }'));
      const { rules, diagnostics } = await load();
      expect(rules.map((r) => r.meta.id)).to.deep.equal(['uses']);
      expect(placed(diagnostics)).to.deep.equal([
        "extra.yaml 6:55 condition 'live-device' has no parameter 'constructor' (parameters: none)",
        "unknown.yaml 6:21 unknown condition 'to-string': a rule may use posture-lint's own named conditions and those of the *.conditions.yaml files given with the rules (the file, or its folder)",
      ]);
      expect(pollution()).to.deep.equal([]);
      expect(({} as Record<string, unknown>).Live).to.equal(undefined);
      const { report } = await lint({ snapshot: FAIL_CASE, ruleset: 'none', rules: [join(dir, 'proto.conditions.yaml'), join(dir, 'uses.yaml')], now: NOW });
      expect(report.findings.map((f) => f.message)).to.deep.equal(['lnx-prod-02 is Inactive']);
    });
  });

  describe('rule parameters that inherit a condition\'s parameter', () => {
    it('linuxPlatforms of the built-in rules is linux-device\'s list, written once and still configurable per rule', async () => {
      const { rules } = await loadRules([join(ROOT, 'rules')], { collections: COLLECTIONS });
      const own = parse(readFileSync(join(ROOT, 'rules', 'conditions', 'mde.conditions.yaml'), 'utf8')).conditions['linux-device'].parameters.platforms.default;
      for (const id of ['linux-realtime-protection-on', 'av-mode-active-on-servers']) {
        const rule = rules.find((r) => r.meta.id === id)!;
        expect(rule.params.linuxPlatforms, id).to.deep.equal(own);
        expect(rule.parameters.linuxPlatforms, id).to.deep.equal({ type: 'list', items: ['string'], minItems: 1 });
      }
      for (const f of ['linux-realtime-protection-on.yaml', 'av-mode-active-on-servers.yaml']) expect(readFileSync(join(ROOT, 'rules', f), 'utf8')).not.to.include('RedHatEnterpriseLinux');
    });

    it('inheriting from a condition or parameter that does not exist is an error with the closest name', async () => {
      write('r.yaml', ruleText('r', '{ condition: linux-device, with: { platforms: { $param: linux } } }', 'parameters:\n  linux: { inherits: linux-devise.platforms }\n  other: { inherits: linux-device.platform }'));
      const { diagnostics } = await load();
      expect(placed(diagnostics)).to.deep.equal([
        "r.yaml 6:22 parameter 'linux' inherits from unknown condition 'linux-devise' (did you mean 'linux-device'?)",
        "r.yaml 7:22 condition 'linux-device' has no parameter 'platform' (did you mean 'platforms'?) (parameters: platforms)",
      ]);
    });
  });

  describe('projection', () => {
    it('a field read only inside a named condition is kept by the loader: cut records give the report whole records give', async () => {
      const { rules } = await loadRules([FIXTURE], { collections: COLLECTIONS });
      const reads = rules[0].reads!.filter((r) => r.collection === 'mde.machines').map((r) => r.path.join('.'));
      // machineTags is read only by the condition `tagged`, osPlatform only by `linux-device`.
      expect(reads).to.include.members(['machineTags', 'osPlatform', 'deviceState']);
      for (const snapshot of [FAIL_CASE, CONTOSO]) {
        const cut = JSON.stringify((await lint({ snapshot, ruleset: 'none', rules: [FIXTURE], now: CONTOSO_NOW })).report);
        const whole = JSON.stringify((await lint({ snapshot, ruleset: 'none', rules: [FIXTURE], now: CONTOSO_NOW, wholeRecords: true })).report);
        expect(cut, snapshot).to.equal(whole);
      }
      const { report } = await lint({ snapshot: FAIL_CASE, ruleset: 'none', rules: [FIXTURE], now: NOW });
      expect(report.rules[0].status, 'the condition saw the machine tags').to.equal('failed');
    });
  });

  describe('CLI, as a rule author uses it', () => {
    it('validate checks the rule and its conditions file, and fails on a broken condition at its line', () => {
      const ok = cli(['validate', FIXTURE]);
      expect(ok.code).to.equal(0);
      expect(ok.stdout).to.equal('1 rule valid, 2 named conditions valid, 0 errors, 0 warnings\n');
      mkdirSync(join(dir, 'rules'));
      const broken = readFileSync(join(FIXTURE, 'servers.conditions.yaml'), 'utf8').replace('{ condition: tagged, with: { tags: { $param: prodTags } } }', '{ condition: taged, with: { tags: { $param: prodTags } } }');
      writeFileSync(join(dir, 'rules', 'servers.conditions.yaml'), broken);
      writeFileSync(join(dir, 'rules', 'prod-linux-healthy.yaml'), readFileSync(join(FIXTURE, 'prod-linux-healthy.yaml')));
      const r = cli(['validate', 'rules'], dir);
      expect(r.code).to.equal(2);
      expect(r.stdout).to.equal([
        "rules/prod-linux-healthy.yaml:15:21  error  condition 'prod-linux' cannot be used: its definition at rules/servers.conditions.yaml:13:3 has errors  rule-invalid",
        "rules/servers.conditions.yaml:26:24  error  unknown condition 'taged' (did you mean 'tagged'?): a rule may use posture-lint's own named conditions and those of the *.conditions.yaml files given with the rules (the file, or its folder)  conditions-invalid",
        '0 rules valid, 1 named condition valid, 2 errors, 0 warnings',
        '',
      ].join('\n'));
    });

    it("test runs the rule's cases with the conditions files given beside it", () => {
      const r = cli(['test', FIXTURE]);
      expect(r.stdout).to.include('✔ pass-prod-linux-active').and.include('✔ fail-prod-linux-inactive');
      expect(r.stdout.trimEnd().split('\n').pop()).to.equal('2 passed, 0 failed');
      expect(r.code).to.equal(0);
    });

    it('explain lists the named conditions a rule uses, with what each means and where it is defined', () => {
      const r = cli(['explain', 'prod-linux-healthy', '--rules', 'test/fixtures/named-conditions', '--ruleset', 'none']);
      expect(r.code).to.equal(0);
      const section = r.stdout.slice(r.stdout.indexOf('## Named conditions it uses'));
      expect(section.split('\n').filter((l) => l.startsWith('- ')).map((l) => l.replace(/\): .*/, ')'))).to.deep.equal([
        "- `linux-device` (posture-lint's own, rules/conditions/mde.conditions.yaml)",
        "- `live-device` (posture-lint's own, rules/conditions/mde.conditions.yaml)",
        '- `prod-linux` (test/fixtures/named-conditions/servers.conditions.yaml)',
        '- `tagged` (test/fixtures/named-conditions/servers.conditions.yaml)',
      ]);
      expect(section).to.include('A live Linux device tagged as production.');
      expect(cli(['explain', 'mde-device-healthy']).stdout).to.include("- `live-device` (posture-lint's own");
    });
  });
});
