/**
 * The synthetic estate behind a benchmark snapshot, derived entity by entity from (seed, index):
 * N Defender for Endpoint devices spread over subscriptions of about DEVICES_PER_SUBSCRIPTION
 * devices, each with RGS_PER_SUBSCRIPTION resource groups and one MDE device group per resource
 * group. Most devices are Azure VMs; a few percent of everything breaks one rule of the built-in
 * pack, so every rule has findings and passes at every size.
 */
import { CONTOSO_TENANT, FABRIKAM_TENANT, OS } from '../../scripts/demo-snapshot/estate';
import type { AvMode, OsKey } from '../../scripts/demo-snapshot/estate';
import { Random } from './random';

export const DEVICES_PER_SUBSCRIPTION = 2000;
export const RGS_PER_SUBSCRIPTION = 10;
/** Device group ids: one per (subscription, resource group); on-premises groups per subscription slot. */
const GROUP_ID_BASE = 1000;
const ON_PREM_GROUP_ID_BASE = 900_000;

const WORKLOADS = ['web', 'app', 'sql', 'data', 'mgmt', 'build', 'identity', 'ops', 'cache', 'batch'] as const;
const ENVIRONMENTS = ['prod', 'dev', 'test', 'shared'] as const;

/** Operating systems and their share of the fleet (Windows about 60 %). */
const OS_KEYS: readonly OsKey[] = ['ws2022', 'ws2019', 'ws2016', 'ws2012r2', 'ubuntu2204', 'ubuntu2004', 'rhel8', 'rhel9', 'debian12', 'sles15', 'centos7'];
const OS_WEIGHTS: readonly number[] = [26, 20, 11, 3, 12, 7, 7, 5, 4, 3, 2];

export interface SubscriptionFacts {
  index: number;
  id: string;
  displayName: string;
  env: (typeof ENVIRONMENTS)[number];
  /** Violation: homed in another tenant than the Defender XDR one. */
  tenantId: string;
  /** Defender for Servers plan; null = Free (a violation when the subscription holds VMs). */
  serversPlan: 'P1' | 'P2' | null;
  settings: { MCAS: boolean; WDATP: boolean; WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: boolean; WDATP_UNIFIED_SOLUTION: boolean; Sentinel: boolean };
  /** `az role assignment list` (flattened, keys sorted) rather than REST for this subscription. */
  roleAssignmentsViaAz: boolean;
}

export interface DeviceFacts {
  index: number;
  sub: number;
  rg: number;
  host: string;
  machineId: string;
  os: OsKey;
  /** An Azure VM (else an on-premises server with `vmMetadata: null`). */
  azure: boolean;
  /** Which vmMetadata fields MDE filled. */
  link: 'full' | 'vmIdOnly' | 'resourceIdOnly';
  /** 0 = ungrouped (`rbacGroupName: null`). */
  groupId: number;
  groupName: string | null;
  /** deviceavinfo avMode; undefined = no deviceavinfo record. */
  avMode: AvMode | undefined;
  signaturesCurrent: boolean;
  /** Days since the sensor last reported; 0 = within hours. Over 7 = Inactive. */
  silentDays: number;
  onboarded: boolean;
  thirdPartyAv: boolean;
  /** The VM is deallocated (vm-onboarded-to-mde skips it). */
  deallocated: boolean;
}

export class Estate {
  readonly subscriptions: number;
  readonly random: Random;

  constructor(
    readonly devices: number,
    seed: number,
  ) {
    this.subscriptions = Math.max(1, Math.ceil(devices / DEVICES_PER_SUBSCRIPTION));
    this.random = new Random(seed);
  }

  subscription(j: number): SubscriptionFacts {
    const r = this.random;
    const env = ENVIRONMENTS[j % ENVIRONMENTS.length];
    const plan = r.unit(j, 'sub:plan');
    return {
      index: j,
      id: r.guid(j, 'sub:id'),
      displayName: `contoso-${env}-${String(j).padStart(4, '0')}`,
      env,
      tenantId: r.unit(j, 'sub:foreign') < 0.02 ? FABRIKAM_TENANT : CONTOSO_TENANT,
      serversPlan: plan < 0.03 ? null : plan < 0.7 ? 'P2' : 'P1',
      settings: {
        MCAS: r.unit(j, 'sub:mcas') < 0.8,
        WDATP: r.unit(j, 'sub:wdatp') >= 0.02,
        WDATP_EXCLUDE_LINUX_PUBLIC_PREVIEW: r.unit(j, 'sub:excludeLinux') < 0.03,
        WDATP_UNIFIED_SOLUTION: r.unit(j, 'sub:unified') >= 0.04,
        Sentinel: r.unit(j, 'sub:sentinel') < 0.5,
      },
      roleAssignmentsViaAz: r.unit(j, 'sub:az') < 0.2,
    };
  }

  /** Resource group name as ARM ids spell it; a few were created in upper case. */
  rgName(sub: number, rg: number): string {
    const name = `rg-${WORKLOADS[rg % WORKLOADS.length]}-${ENVIRONMENTS[sub % ENVIRONMENTS.length]}-${String(rg).padStart(2, '0')}`;
    return this.random.unit(sub * RGS_PER_SUBSCRIPTION + rg, 'rg:upper') < 0.1 ? name.toUpperCase() : name;
  }

  groupIdOf(sub: number, rg: number): number {
    return GROUP_ID_BASE + sub * RGS_PER_SUBSCRIPTION + rg;
  }

  groupNameOf(sub: number, rg: number): string {
    return `Servers-${String(sub).padStart(4, '0')}-${WORKLOADS[rg % WORKLOADS.length]}-${String(rg).padStart(2, '0')}`;
  }

  /**
   * Violation (device-groups-cover-rbac-scopes): in a few resource groups the devices were put in
   * the next resource group's device group, so that group also holds devices outside its scope.
   */
  private leaks(sub: number, rg: number): boolean {
    return this.random.unit(sub * RGS_PER_SUBSCRIPTION + rg, 'rg:leak') < 0.02;
  }

  device(i: number): DeviceFacts {
    const r = this.random;
    const perSub = Math.ceil(this.devices / this.subscriptions);
    const sub = Math.floor(i / perSub);
    const rg = Math.floor(((i % perSub) * RGS_PER_SUBSCRIPTION) / perSub);
    const os = r.pick(i, 'dev:os', OS_KEYS, OS_WEIGHTS);
    const windows = OS[os].osType === 'Windows';
    const azure = this.isAzureVm(i);
    const linkRoll = r.unit(i, 'dev:link');
    const ungrouped = r.unit(i, 'dev:ungrouped') < 0.01;
    const groupRg = this.leaks(sub, rg) ? (rg + 1) % RGS_PER_SUBSCRIPTION : rg;
    const group = ungrouped
      ? { groupId: 0, groupName: null }
      : azure
        ? { groupId: this.groupIdOf(sub, groupRg), groupName: this.groupNameOf(sub, groupRg) }
        : { groupId: ON_PREM_GROUP_ID_BASE + sub, groupName: `OnPrem-${String(sub).padStart(4, '0')}` };
    const thirdPartyAv = windows && r.unit(i, 'dev:3pav') < 0.01;
    const avRoll = r.unit(i, 'dev:av');
    // Violations: Linux passive / disabled / no record; Windows passive (third-party AV devices are passive by design).
    const avMode: AvMode | undefined = thirdPartyAv
      ? '1'
      : windows
        ? avRoll < 0.02 ? '1' : '0'
        : avRoll < 0.02 ? '1' : avRoll < 0.03 ? '2' : avRoll < 0.04 ? undefined : '0';
    const silent = r.unit(i, 'dev:silent');
    const prefix = WORKLOADS[rg % WORKLOADS.length];
    return {
      index: i,
      sub,
      rg,
      host: `${azure ? prefix : 'srv'}${String(i).padStart(7, '0')}`,
      machineId: r.hex(i, 'dev:machineId', 40),
      os,
      azure,
      link: linkRoll < 0.05 ? 'vmIdOnly' : linkRoll < 0.1 ? 'resourceIdOnly' : 'full',
      ...group,
      avMode,
      signaturesCurrent: r.unit(i, 'dev:sigs') >= 0.02,
      silentDays: silent < 0.02 ? 10 + r.int(i, 'dev:silentDays', 30) : silent < 0.03 ? 2 + r.int(i, 'dev:silentDays', 4) : 0,
      onboarded: r.unit(i, 'dev:onboarded') >= 0.005,
      thirdPartyAv,
      deallocated: r.unit(i, 'dev:deallocated') < 0.03,
    };
  }

  /** Device i is an Azure VM (about 90 %); the others are on-premises servers. */
  isAzureVm(i: number): boolean {
    return this.random.unit(i, 'dev:azure') < 0.9;
  }

  /** Violation (vm-onboarded-to-mde): an Azure VM beside device i that was never onboarded. */
  hasUnonboardedVm(i: number): boolean {
    return this.random.unit(i, 'dev:extraVm') < 0.015;
  }

  vmIdOf(d: DeviceFacts, extra: boolean): string {
    return this.random.guid(d.index, extra ? 'vm:extraId' : 'vm:id');
  }
}
