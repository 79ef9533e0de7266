/**
 * `posture-lint init [folder]`: scaffold a custom rules folder that works at once: a config, an
 * example cross-source rule (ARM VM tags vs. its Defender for Endpoint device tags) with a passing
 * and a failing case, and the schema line editors use. Never overwrites a file.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { SCHEMAS_DIR } from '../../paths';
import { CONFIG_FILE } from '../../config';
import { UsageError, type CliIo } from '../io';
import { parseCommandArgs } from '../args';

const RULE_ID = 'prod-vms-tagged-in-mde';

function ruleText(schemaRef: string): string {
  return `# yaml-language-server: $schema=${schemaRef}
id: ${RULE_ID}
title: Production VMs carry the PROD device tag in Defender for Endpoint
severity: medium
description: >
  Every Azure VM tagged environment=prod has a Defender for Endpoint device that carries the machine
  tag PROD, so device groups and XDR roles that match on the tag cover it.
rationale: >
  Device groups are built from machine tags; a production server without the tag falls into a group
  with the wrong people and the wrong remediation level.
remediation: >
  Add the PROD machine tag to the device (Defender portal > device > Manage tags), or set it with the
  MDE API or the registry key DeviceTagging on the server.
references:
  - https://learn.microsoft.com/defender-endpoint/machine-tags
parameters:
  tag:
    type: string
    description: Machine tag production devices must carry.
    default: PROD
for: arm.virtualMachines
join:
  device:
    from: mde.machines
    on:
      - { local: properties.vmId, foreign: vmMetadata.vmId }
      - { local: id, foreign: vmMetadata.resourceId }
where:
  field: tags.environment
  equals: prod
assert:
  field: device.machineTags
  contains: { $param: tag }
message: "{{name}} is a production VM but {{#device}}its device {{device.computerDnsName}} has tags [{{device.machineTags | join}}], not {{$params.tag}}{{/device}}{{^device}}it has no Defender for Endpoint device{{/device}}"
`;
}

const VM = (name: string, vmId: string, environment: string) => ({
  id: `/subscriptions/9b5f3f7e-4d1a-4c2b-8e3f-1a2b3c4d5e6f/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/${name}`,
  name,
  type: 'microsoft.compute/virtualmachines',
  location: 'westeurope',
  resourceGroup: 'rg-app',
  subscriptionId: '9b5f3f7e-4d1a-4c2b-8e3f-1a2b3c4d5e6f',
  tags: { environment },
  properties: { vmId, storageProfile: { osDisk: { osType: 'Linux' } }, osProfile: { computerName: name } },
});

const DEVICE = (id: string, dns: string, vmId: string, machineTags: string[]) => ({
  id,
  computerDnsName: dns,
  osPlatform: 'Ubuntu',
  healthStatus: 'Active',
  rbacGroupId: 140,
  rbacGroupName: 'Prod-App',
  machineTags,
  vmMetadata: { vmId, cloudProvider: 'Azure', resourceId: null, subscriptionId: '9b5f3f7e-4d1a-4c2b-8e3f-1a2b3c4d5e6f' },
});

function snapshotFiles(prodTags: string[]): Record<string, unknown> {
  return {
    'vms.json': {
      totalRecords: 2,
      count: 2,
      data: [VM('app01', '0f47b100-583c-48e3-a4c0-aefc2c9bbc11', 'prod'), VM('app-test01', '0f47b100-583c-48e3-a4c0-aefc2c9bbc12', 'test')],
      facets: [],
      resultTruncated: 'false',
    },
    'machines.json': {
      '@odata.context': 'https://api.security.microsoft.com/api/$metadata#Machines',
      value: [
        DEVICE('b1'.repeat(20), 'app01.contoso.com', '0f47b100-583c-48e3-a4c0-aefc2c9bbc11', prodTags),
        DEVICE('b2'.repeat(20), 'app-test01.contoso.com', '0f47b100-583c-48e3-a4c0-aefc2c9bbc12', []),
      ],
    },
  };
}

const CASES: Record<string, { caseYaml: string; files: Record<string, unknown> }> = {
  'pass-prod-device-tagged': {
    caseYaml: `description: The production VM's device carries PROD; the test VM is not checked.
expect:
  status: passed
  findings: []
`,
    files: snapshotFiles(['PROD', 'web']),
  },
  'fail-prod-device-untagged': {
    caseYaml: `description: The production VM's device has no PROD tag.
expect:
  status: failed
  findings:
    - resource: /subscriptions/9b5f3f7e-4d1a-4c2b-8e3f-1a2b3c4d5e6f/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/app01
      message: has tags [web], not PROD
`,
    files: snapshotFiles(['web']),
  },
};

async function exists(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined)) !== undefined;
}

export async function initCommand(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseCommandArgs(args, {});
  if (positionals.length > 1) throw new UsageError('init takes at most one folder');
  const root = path.resolve(io.cwd, positionals[0] ?? '.');
  const rulesDir = path.join(root, 'rules');
  const schemaRef = path.relative(rulesDir, path.join(SCHEMAS_DIR, 'rule.schema.json')).split(path.sep).join('/');
  const files: [string, string][] = [
    [path.join(root, CONFIG_FILE), `# posture-lint configuration: which rules run, and how.\nruleset: recommended\nrules:\n  - ./rules\n# disable: [rule-id]\n# severity: { rule-id: high }\n# parameters: { mde-device-healthy: { staleDays: 14 } }\n`],
    [path.join(rulesDir, `${RULE_ID}.yaml`), ruleText(schemaRef)],
  ];
  for (const [name, c] of Object.entries(CASES)) {
    const dir = path.join(rulesDir, `${RULE_ID}.tests`, name);
    files.push([path.join(dir, 'case.yaml'), c.caseYaml]);
    for (const [f, doc] of Object.entries(c.files)) files.push([path.join(dir, f), `${JSON.stringify(doc, null, 2)}\n`]);
  }
  const clashes = [];
  for (const [f] of files) if (await exists(f)) clashes.push(path.relative(io.cwd, f));
  if (clashes.length) {
    const more = clashes.length > 1 ? ` and ${clashes.length - 1} more files` : '';
    throw new UsageError(`init would overwrite ${clashes[0]}${more}; choose an empty folder`);
  }
  for (const [f, text] of files) {
    await mkdir(path.dirname(f), { recursive: true });
    await writeFile(f, text);
    io.stdout(`created ${path.relative(io.cwd, f).split(path.sep).join('/')}\n`);
  }
  const where = positionals[0] ? `cd ${positionals[0]} && ` : '';
  io.stdout(`\nNext: ${where}posture-lint test   (runs the example rule's cases)\n      ${where}posture-lint lint <snapshot-folder>\nSee docs/authoring.md for a walk-through.\n`);
  return 0;
}
