/**
 * Writes a large MDE machines export (`GET /api/machines` shape, as in the API reference's
 * example, about 1.2 KB per record) for tests and checks of the streaming reader. Records differ
 * by index, and some carry multi-byte UTF-8 (é, 中, emoji) so that chunk boundaries split characters.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const PLATFORMS = ['Windows11', 'WindowsServer2022', 'Linux', 'Ubuntu', 'macOS'];
const NAMES = ['web', 'db', 'café', '中文', 'build😀'];

/** Machine record number `i`. */
export function machineRecord(i: number): Record<string, unknown> {
  const hex = (n: number): string => (Math.imul(n + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');
  const vm = i % 4 !== 0;
  const subscription = `${hex(i % 7)}-2b94-4d6f-8a1c-5e0b9d7f2c43`;
  return {
    id: `${hex(i)}${hex(i + 1)}${hex(i + 2)}${hex(i + 3)}${hex(i + 4)}`,
    computerDnsName: `${NAMES[i % NAMES.length]}-${i}.corp.contoso.com`,
    firstSeen: '2025-07-21T23:11:57.4205382Z',
    lastSeen: `2026-11-${String(1 + (i % 27)).padStart(2, '0')}T00:34:41.5616790Z`,
    osPlatform: PLATFORMS[i % PLATFORMS.length],
    version: '22H2',
    osProcessor: 'x64',
    lastIpAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    lastExternalIpAddress: '198.51.100.20',
    agentVersion: '10.8760.22621.3155',
    osBuild: 22621 + (i % 5),
    healthStatus: i % 10 === 0 ? 'Inactive' : 'Active',
    deviceValue: 'Normal',
    rbacGroupId: 120 + (i % 3),
    rbacGroupName: `Servers-${i % 3}`,
    riskScore: ['None', 'Low', 'Medium', 'High'][i % 4],
    exposureLevel: ['Low', 'Medium', 'High'][i % 3],
    isAadJoined: i % 2 === 0,
    aadDeviceId: i % 2 === 0 ? `${hex(i)}-7f71-4b7f-abc0-30a007fef235` : null,
    machineTags: i % 3 === 0 ? ['contoso-prod', 'tier "0" [critical]'] : ['contoso-dev'],
    onboardingStatus: 'Onboarded',
    osArchitecture: '64-bit',
    managedBy: 'MicrosoftDefenderForEndpoint',
    managedByStatus: 'Success',
    ipAddresses: [
      { ipAddress: `10.${(i >> 8) & 255}.${i & 255}.4`, macAddress: '000D3A1B2C3D', type: 'Ethernet', operationalStatus: 'Up' },
      { ipAddress: 'fe80::8d6:f1ff:fe9d:4c2a', macAddress: '000D3A1B2C3D', type: 'Ethernet', operationalStatus: 'Up' },
    ],
    vmMetadata: vm
      ? {
          vmId: `${hex(i)}-7f71-4b7f-abc0-30a007fef235`,
          cloudProvider: 'Azure',
          resourceId: `/subscriptions/${subscription}/resourceGroups/rg-${i % 11}/providers/Microsoft.Compute/virtualMachines/vm-${i}`,
          subscriptionId: subscription,
        }
      : null,
  };
}

/**
 * Writes `count` machine records to `path`: as an OData page (`@odata.context`, `value`, with the
 * `@odata.nextLink` after the records when `nextLink` is given), or NDJSON. Returns the file size.
 */
export function writeMachinesFile(path: string, count: number, options: { format?: 'json' | 'ndjson'; nextLink?: string } = {}): number {
  const ndjson = options.format === 'ndjson';
  const fd = openSync(path, 'w');
  let size = 0;
  const write = (text: string): void => {
    size += writeSync(fd, text);
  };
  try {
    if (!ndjson) write('{"@odata.context":"https://api.security.microsoft.com/api/$metadata#Machines","value":[');
    let batch: string[] = [];
    for (let i = 0; i < count; i++) {
      batch.push(JSON.stringify(machineRecord(i)));
      if (batch.length === 1000 || i === count - 1) {
        write((!ndjson && i >= batch.length ? ',' : '') + batch.join(ndjson ? '\n' : ',') + (ndjson ? '\n' : ''));
        batch = [];
      }
    }
    if (!ndjson) write(`]${options.nextLink === undefined ? '' : `,"@odata.nextLink":${JSON.stringify(options.nextLink)}`}}`);
  } finally {
    closeSync(fd);
  }
  return size;
}
