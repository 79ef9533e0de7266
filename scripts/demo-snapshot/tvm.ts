/**
 * Defender Vulnerability Management exports from the Contoso (XDR) tenant: vulnerabilities by
 * device (`GET /api/vulnerabilities/machinesVulnerabilities`), the software inventory
 * (`GET /api/Software`) and the security recommendations (`GET /api/recommendations`).
 */
import { OS } from './estate';
import type { OsKey } from './estate';
import { deviceOn, devices } from './mde';
import type { Device } from './mde';
import { spread } from './util';
import type { SnapshotFile } from './util';

const API = 'https://api.security.microsoft.com/api';

/** Vulnerable products as Defender Vulnerability Management names them (CPE style, lower case). */
const PRODUCTS = {
  log4j: { vendor: 'apache', publicExploit: true, component: 'Log4j', recommendedVersion: '2.17.1' },
  windows_server_2012_r2: { vendor: 'microsoft', publicExploit: true, component: 'Windows Server 2012 R2', recommendedVersion: '' },
  windows_server_2022: { vendor: 'microsoft', publicExploit: true, component: 'Windows Server 2022', recommendedVersion: '' },
  libexpat: { vendor: 'libexpat_project', publicExploit: false, component: 'Libexpat', recommendedVersion: '2.6.3' },
} as const;
type ProductName = keyof typeof PRODUCTS;

interface Cve {
  cveId: string;
  severity: 'Critical' | 'High' | 'Medium' | 'Low';
  fixingKbId: string | null;
}

/** Every MDE device whose operating system is `os`: an OS vulnerability affects all of them alike. */
const runningOs = (os: OsKey): Device[] => devices().filter((d) => d.os === OS[os]);

/** Open vulnerabilities: a product version, the devices that run it, and its CVEs. */
const OPEN_VULNERABILITIES: ReadonlyArray<{ product: ProductName; version: string; devices: Device[]; cves: readonly Cve[] }> = [
  // PLANT critical-vulnerabilities-exploitable: Log4Shell in a Java application; log4j has a public exploit.
  {
    product: 'log4j', version: '2.14.1', devices: [deviceOn('app-prod-01')],
    cves: [
      { cveId: 'CVE-2021-44228', severity: 'Critical', fixingKbId: null },
      { cveId: 'CVE-2021-45046', severity: 'Critical', fixingKbId: null },
      { cveId: 'CVE-2021-44832', severity: 'Medium', fixingKbId: null },
    ],
  },
  // PLANT critical-vulnerabilities-exploitable: both Windows Server 2012 R2 servers (ops-shr-02,
  // fs-onprem-01) lack the August 2024 update for the IPv6 remote code execution.
  {
    product: 'windows_server_2012_r2', version: OS.ws2012r2.osVersion, devices: runningOs('ws2012r2'),
    cves: [{ cveId: 'CVE-2024-38063', severity: 'Critical', fixingKbId: '5041828' }],
  },
  // Look-alike: software with a public exploit, but the open CVE is High, not Critical.
  {
    product: 'windows_server_2022', version: OS.ws2022.osVersion, devices: runningOs('ws2022'),
    cves: [{ cveId: 'CVE-2024-49138', severity: 'High', fixingKbId: '5048654' }],
  },
  // Look-alike: a Critical CVE, but in software with no public exploit.
  {
    product: 'libexpat', version: '2.5.0', devices: [deviceOn('jump-prod-02')],
    cves: [{ cveId: 'CVE-2024-45492', severity: 'Critical', fixingKbId: null }],
  },
];

export function tvmFiles(): SnapshotFile[] {
  return [
    ['mde/vulnerabilities.json', {
      '@odata.context': `${API}/$metadata#Collection(microsoft.windowsDefenderATP.api.PublicAssetVulnerabilityDto)`,
      value: OPEN_VULNERABILITIES.flatMap((v) => v.devices.flatMap((d) => v.cves.map((cve) => vulnerability(v.product, v.version, d, cve)))),
    }],
    ['mde/software.json', { '@odata.context': `${API}/$metadata#Software`, value: OPEN_VULNERABILITIES.map(software) }],
    ['mde/recommendations.json', { '@odata.context': `${API}/$metadata#Recommendations`, value: OPEN_VULNERABILITIES.map(recommendation) }],
  ];
}

/** An item of machinesVulnerabilities; its id joins machine, CVE, vendor, product, version and KB. */
function vulnerability(product: ProductName, version: string, d: Device, cve: Cve): unknown {
  const { vendor } = PRODUCTS[product];
  return {
    id: [d.machineId, cve.cveId, vendor, product, version, cve.fixingKbId ?? ''].join('-_-'),
    cveId: cve.cveId,
    machineId: d.machineId,
    fixingKbId: cve.fixingKbId,
    productName: product,
    productVendor: vendor,
    productVersion: version,
    severity: cve.severity,
  };
}

/** A score with decimals, as the TVM APIs print them, derived from `seed` within [min, max). */
const score = (seed: string, min: number, max: number): number => (min * 100_000 + spread(seed, (max - min) * 100_000)) / 100_000;

function software(v: (typeof OPEN_VULNERABILITIES)[number]): unknown {
  const p = PRODUCTS[v.product];
  return {
    id: `${p.vendor}-_-${v.product}`,
    name: v.product,
    vendor: p.vendor,
    weaknesses: v.cves.length,
    publicExploit: p.publicExploit,
    activeAlert: false,
    exposedMachines: v.devices.length,
    impactScore: score(`impact:${v.product}`, 0.5, 6),
  };
}

function recommendation(v: (typeof OPEN_VULNERABILITIES)[number]): unknown {
  const p = PRODUCTS[v.product];
  return {
    id: `va-_-${p.vendor}-_-${v.product}`,
    productName: v.product,
    recommendationName: `Update ${p.component}`,
    weaknesses: v.cves.length,
    vendor: p.vendor,
    recommendedVersion: p.recommendedVersion,
    recommendationCategory: 'Application',
    subCategory: '',
    severityScore: 0,
    publicExploit: p.publicExploit,
    activeAlert: false,
    associatedThreats: [],
    remediationType: 'Update',
    status: 'Active',
    configScoreImpact: 0,
    exposureImpact: score(`exposure:${v.product}`, 0.5, 6),
    totalMachineCount: v.devices.length,
    exposedMachinesCount: v.devices.length,
    nonProductivityImpactedAssets: 0,
    relatedComponent: p.component,
  };
}
