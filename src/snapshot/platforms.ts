/**
 * Operating system platforms as Defender for Endpoint names them (`osPlatform` of machines and of
 * the device AV health report), in one table, so every rule scopes devices by the same spelling.
 * MDE writes PascalCase tokens (Windows11, WindowsServer2022, RedHatEnterpriseLinux, Ubuntu);
 * hand-made, older and converted exports also carry "Windows Server 2022", "ubuntu ", "RHEL",
 * "SLES 15" or "Ubuntu 22.04". The normaliser turns each recognised spelling into the token and
 * adds `platformFamily`; a platform it cannot place (null, blank, unknown) gets no family, and the
 * rules that scope by platform check such devices rather than skip them.
 */
import type { Normalizer } from './normalize';
import { getOwn, setOwn } from './json-util';

export const PLATFORM_FAMILIES = ['Windows', 'WindowsServer', 'Linux', 'macOS', 'iOS', 'Android'] as const;
export type PlatformFamily = (typeof PLATFORM_FAMILIES)[number];

interface Platform {
  /** The spelling MDE writes, which normalised records carry. */
  name: string;
  family: PlatformFamily;
  /** Other spellings, compared without case, spaces, dots, dashes or underscores. */
  aliases?: readonly string[];
}

export const PLATFORMS: readonly Platform[] = [
  { name: 'Windows7', family: 'Windows', aliases: ['Win7'] },
  { name: 'Windows8', family: 'Windows', aliases: ['Win8'] },
  { name: 'Windows8.1', family: 'Windows', aliases: ['Win8.1'] },
  { name: 'Windows10', family: 'Windows', aliases: ['Win10'] },
  { name: 'Windows11', family: 'Windows', aliases: ['Win11'] },
  { name: 'WindowsServer2008R2', family: 'WindowsServer' },
  { name: 'WindowsServer2012', family: 'WindowsServer' },
  { name: 'WindowsServer2012R2', family: 'WindowsServer' },
  { name: 'WindowsServer2016', family: 'WindowsServer' },
  { name: 'WindowsServer2019', family: 'WindowsServer' },
  { name: 'WindowsServer2022', family: 'WindowsServer' },
  { name: 'WindowsServer2025', family: 'WindowsServer' },
  { name: 'Linux', family: 'Linux' },
  { name: 'Ubuntu', family: 'Linux', aliases: ['Ubuntu Server', 'Ubuntu LTS'] },
  { name: 'Debian', family: 'Linux' },
  { name: 'RedHatEnterpriseLinux', family: 'Linux', aliases: ['RHEL', 'RedHat', 'Red Hat Enterprise Linux Server'] },
  { name: 'CentOS', family: 'Linux', aliases: ['CentOS Linux', 'CentOS Stream'] },
  { name: 'SuSE', family: 'Linux', aliases: ['SLES', 'SLE', 'SUSE Linux Enterprise Server', 'SUSE Linux Enterprise', 'openSUSE'] },
  { name: 'OracleLinux', family: 'Linux', aliases: ['OL', 'Oracle Linux Server'] },
  { name: 'AmazonLinux', family: 'Linux', aliases: ['AL2', 'AL2023', 'Amazon Linux AMI'] },
  { name: 'Fedora', family: 'Linux' },
  { name: 'AlmaLinux', family: 'Linux', aliases: ['Alma'] },
  { name: 'RockyLinux', family: 'Linux', aliases: ['Rocky'] },
  { name: 'Mariner', family: 'Linux', aliases: ['CBL-Mariner', 'CBLMariner'] },
  { name: 'AzureLinux', family: 'Linux' },
  { name: 'macOS', family: 'macOS', aliases: ['Mac', 'MacOSX', 'OSX', 'Mac OS X'] },
  { name: 'iOS', family: 'iOS', aliases: ['iPadOS'] },
  { name: 'Android', family: 'Android' },
];

/** A spelling reduced to what tells platforms apart. */
function squash(s: string): string {
  return s.toLowerCase().replace(/[\s._-]+/g, '');
}

const BY_SPELLING = new Map<string, Platform>();
for (const p of PLATFORMS) for (const s of [p.name, ...(p.aliases ?? [])]) BY_SPELLING.set(squash(s), p);

/** A squashed spelling without the version after it: "ubuntu2204lts", "rhel8", "sles15sp5". */
function withoutVersion(key: string): string {
  let end = key.length;
  for (;;) {
    if (key.endsWith('lts', end)) {
      end -= 3;
      continue;
    }
    let i = end;
    while (i > 0 && key.charCodeAt(i - 1) >= 0x30 && key.charCodeAt(i - 1) <= 0x39) i--;
    if (i === end) return key.slice(0, end);
    end = key.endsWith('sp', i) ? i - 2 : i;
  }
}

/** No platform name is longer; a longer value is not a platform (and is not scanned). */
const MAX_SPELLING = 64;

/** The platform an `osPlatform` value denotes, or undefined when it cannot be told. */
export function platformOf(value: unknown): Platform | undefined {
  if (typeof value !== 'string' || value.length > MAX_SPELLING) return undefined;
  const key = squash(value);
  if (key === '') return undefined;
  const exact = BY_SPELLING.get(key);
  if (exact) return exact;
  // Only Linux and macOS names take a version suffix: "Windows2019" is not a spelling anyone uses.
  const versioned = BY_SPELLING.get(withoutVersion(key));
  return versioned && (versioned.family === 'Linux' || versioned.family === 'macOS') ? versioned : undefined;
}

/**
 * `osPlatform` in MDE's spelling (the reported one kept as `osPlatformReported` when it differs),
 * and `platformFamily` when the platform is recognised.
 */
export const normalizePlatform: Normalizer = (data) => {
  const raw = getOwn(data, 'osPlatform');
  const platform = platformOf(raw);
  if (!platform) return data;
  if (raw !== platform.name) {
    setOwn(data, 'osPlatformReported', raw);
    setOwn(data, 'osPlatform', platform.name);
  }
  setOwn(data, 'platformFamily', platform.family);
  return data;
};
