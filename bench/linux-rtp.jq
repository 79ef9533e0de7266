# linux-realtime-protection-on (rules/linux-realtime-protection-on.yaml) restricted to deviceavinfo
# evidence, in jq: live Linux devices (osPlatform in the rule's linuxPlatforms) whose deviceavinfo
# avMode is not Active (the code "0", or the name "Active" itself) or is older than the rule's
# 7 days (dataRefreshTimestamp or lastSeenTime more than 7 days before $now, or more than the
# hour of clock skew after it), plus those with no deviceavinfo record. As in posture-lint,
# strings compare case-insensitively, devices join deviceavinfo on id = machineId, a device
# with several records fails if any of them fails, and each device counts once. Prints the number of failing devices.
#
#   jq -n --arg now 2026-11-27T02:00:00Z -f bench/linux-rtp.jq <snapshot>/mde/*.json
#
# Takes the MDE pages in any order, one page at a time: machines and deviceavinfo pages are told
# apart by their @odata.context, as posture-lint tells them; only the join keys are kept. Written
# for jq 1.6's cost model: lists are collected per page and turned into one object at the end
# (from_entries), because updating a keyed object record by record inside reduce copies it.

def linuxPlatforms: ["Linux", "Ubuntu", "Debian", "RedHatEnterpriseLinux", "CentOS", "SuSE", "SUSE", "SLES",
  "OracleLinux", "AmazonLinux", "Fedora", "AlmaLinux", "RockyLinux", "Mariner", "AzureLinux"]
  | map({key: ascii_downcase, value: true}) | from_entries;

# The rule's live-device condition: not merged into another record, not excluded, and onboarded
# (a device that only device discovery found has an onboardingStatus other than Onboarded).
def live: ((.mergedIntoMachineId // "") | tostring | test("^\\s*$")) and .isExcluded != true
  and ((has("onboardingStatus") | not) or ((.onboardingStatus // "") | tostring | ascii_downcase) == "onboarded");

# posture-lint reads deviceavinfo's avMode code "0" (or 0) as Active, and keeps a name it knows as is.
def active: . != null and (tostring == "0" or . == "Active");

# A timestamp (as MDE prints deviceavinfo's, whole seconds) at most 7 days before $now.
($now | fromdateiso8601) as $nowSeconds
| def current: (try fromdateiso8601 catch null) as $t | $t != null and $t <= $nowSeconds + 3600 and $nowSeconds - $t <= 7 * 86400;

linuxPlatforms as $linux
| reduce inputs as $page ({linux: [], av: []};
    ($page["@odata.context"] // "") as $context
    | if ($context | endswith("#Machines")) then
        .linux += [$page.value[] | select(live and $linux[.osPlatform // "" | ascii_downcase]) | .id | ascii_downcase]
      elif ($context | endswith("#DeviceAvInfo")) then
        .av += [$page.value[] | {key: (.machineId | ascii_downcase), value: ((.avMode | active) and (.dataRefreshTimestamp | current) and (.lastSeenTime | current))}]
      else . end)
# A device passes only if it has a deviceavinfo record and none of its records fails: with two
# records that disagree, posture-lint checks the device with each and fails it if either fails.
| (.av | map({key, value: true}) | from_entries) as $any
| (.av | map(select(.value | not) | {key, value: true}) | from_entries) as $bad
| [.linux | unique[] | select($any[.] != true or $bad[.] == true)]
| length
