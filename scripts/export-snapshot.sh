#!/usr/bin/env bash
# Exports a snapshot folder that `posture-lint lint <folder>` reads unchanged: each API page saved
# as its own file exactly as `az` prints it, every next link followed, and a snapshot.yaml naming
# the tenant, the time and the exports that completed. See docs/exporting.md.
#
# Needs: az (logged in) and node (to read next links from saved pages; jq is not needed).
# Written for bash 3.2+ (no associative arrays, no mapfile), so the macOS default bash works.
set -euo pipefail

readonly PROG=export-snapshot
readonly GUID_RE='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
readonly VM_QUERY="Resources | where type =~ 'microsoft.compute/virtualmachines'"
readonly ARC_QUERY="Resources | where type =~ 'microsoft.hybridcompute/machines'"
readonly SCALE_SET_VM_QUERY="ComputeResources | where type =~ 'microsoft.compute/virtualmachinescalesets/virtualmachines'"
readonly ARM=https://management.azure.com
readonly MDE=https://api.securitycenter.microsoft.com
readonly GRAPH=https://graph.microsoft.com

usage() {
  cat <<'EOF'
Usage: scripts/export-snapshot.sh [--out DIR] [--subscription ID ...] [--skip-mde] [--skip-graph] [--allow-partial]

Exports ARM, Defender for Cloud, Defender for Endpoint and Microsoft Graph data with `az` into a
snapshot folder for `posture-lint lint DIR`.

  --out DIR            folder to create (default: snapshot-<UTC timestamp>); must be new or empty
  --subscription ID    subscription id to export (repeatable; default: every enabled subscription)
  --skip-mde           do not call the Defender for Endpoint API
  --skip-graph         do not call Microsoft Graph
  --allow-partial      exit 0 even when an API failed (its export is still left out of snapshot.yaml)

Exit codes: 0 every export completed; 1 an API failed (the snapshot is partial); 2 usage error,
az or node missing, not logged in, or an output folder that is not empty.
EOF
}

die() {
  echo "$PROG: error: $*" >&2
  exit 2
}

say() {
  echo "$PROG: $*" >&2
}

OUT=
SUBS=()
SKIP_MDE=false
SKIP_GRAPH=false
ALLOW_PARTIAL=false
while [ $# -gt 0 ]; do
  case $1 in
    --out) [ $# -ge 2 ] || die "--out needs a folder"; OUT=$2; shift 2 ;;
    --out=*) OUT=${1#--out=}; shift ;;
    --subscription) [ $# -ge 2 ] || die "--subscription needs an id"; SUBS+=("$2"); shift 2 ;;
    --subscription=*) SUBS+=("${1#--subscription=}"); shift ;;
    --skip-mde) SKIP_MDE=true; shift ;;
    --skip-graph) SKIP_GRAPH=true; shift ;;
    --allow-partial) ALLOW_PARTIAL=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
for sub in ${SUBS[@]+"${SUBS[@]}"}; do
  [[ $sub =~ $GUID_RE ]] || die "--subscription takes a subscription id (a GUID), not '$sub'"
done

command -v az >/dev/null 2>&1 || die "az (Azure CLI) is not on PATH"
command -v node >/dev/null 2>&1 || die "node is not on PATH (it reads the next-page links from the saved pages)"

STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
[ -n "$OUT" ] || OUT="snapshot-${STARTED_AT//[-:]/}"
if [ -e "$OUT" ]; then
  [ -d "$OUT" ] || die "$OUT exists and is not a folder"
  # Files left from an earlier run would be read as part of this snapshot.
  [ -z "$(ls -A "$OUT")" ] || die "$OUT is not empty; choose a new --out folder"
fi
mkdir -p "$OUT"

# Scratch space outside the snapshot (az's stderr, request bodies): a file left in the snapshot
# folder would be read as part of it.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ERR_FILE=$WORK/az-stderr

# Kinds in the order exported, the glob of each one's files (parallel arrays), and the failed ones.
KINDS=()
GLOBS=()
FAILED=" "

# note_export KIND GLOB: KIND is being exported into the files GLOB (relative to $OUT) matches.
note_export() {
  local i
  for i in ${KINDS[@]+"${!KINDS[@]}"}; do
    [ "${KINDS[$i]}" != "$1" ] || return 0
  done
  KINDS+=("$1")
  GLOBS+=("$2")
}

# fail KIND MESSAGE: warns, and marks KIND as failed so it stays out of snapshot.yaml.
fail() {
  say "WARNING: $1 will not be in the snapshot: $2"
  case $FAILED in *" $1 "*) ;; *) FAILED="$FAILED$1 " ;; esac
}

# json_string FILE [KEY...]: checks FILE holds JSON, then prints the first KEY of its top-level
# object whose value is a non-empty string. Node, not jq: it is there wherever posture-lint runs.
json_string() {
  node -e '
    const [file, ...keys] = process.argv.slice(1);
    let doc;
    try {
      doc = JSON.parse(require("fs").readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
    } catch {
      process.exit(1);
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) process.exit(0);
    const key = keys.find((k) => Object.hasOwn(doc, k) && typeof doc[k] === "string" && doc[k] !== "");
    if (key !== undefined) process.stdout.write(doc[key]);
  ' -- "$@"
}

# az_save KIND FILE [KEY...] -- AZ_ARGS...: runs `az AZ_ARGS...` into $OUT/FILE, checks that it
# printed JSON and sets FOUND to the file's first non-empty KEY (json_string), in one node start.
# FOUND is a global, not printed: a $(...) subshell would lose what fail records.
FOUND=
az_save() {
  local kind=$1 file=$2 keys=()
  shift 2
  while [ "$1" != -- ]; do keys+=("$1"); shift; done
  shift
  say "az $* > $file"
  mkdir -p "$(dirname "$OUT/$file")"
  if ! az "$@" >"$OUT/$file" 2>"$ERR_FILE"; then
    fail "$kind" "az $* failed:
$(sed -n '1,20s/^/    /p' "$ERR_FILE")"
    return 1
  fi
  if ! FOUND=$(json_string "$OUT/$file" ${keys[@]+"${keys[@]}"}); then
    fail "$kind" "az $* printed no JSON into $file"
    return 1
  fi
}

# page_records FILE...: prints one YAML page entry per FILE (relative to $OUT) with the records it
# holds, counted as posture-lint counts them: the rows of a Resource Graph result, the `value` of a
# list, the elements of a bare array, else one object. The loader checks every page against it, so
# a page lost or cut after the export (even at a line end) cannot pass for the whole export.
page_records() {
  (cd "$OUT" && node -e '
    const fs = require("fs");
    const RESOURCE_GRAPH_KEYS = ["totalRecords", "total_records", "resultTruncated", "skip_token", "$skipToken", "facets"];
    for (const file of process.argv.slice(1)) {
      const doc = JSON.parse(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
      const isObject = doc !== null && typeof doc === "object" && !Array.isArray(doc);
      let records = 1;
      if (Array.isArray(doc)) records = doc.length;
      else if (isObject && Array.isArray(doc.data) && RESOURCE_GRAPH_KEYS.some((k) => Object.hasOwn(doc, k))) records = doc.data.length;
      else if (isObject && Array.isArray(doc.value) && !Object.hasOwn(doc, "id")) records = doc.value.length;
      process.stdout.write(`      - { file: ${JSON.stringify(file)}, records: ${records} }\n`);
    }
  ' -- "$@")
}

# origin URL: scheme://host of URL.
origin() {
  local rest=${1#*://}
  printf '%s://%s' "${1%%://*}" "${rest%%/*}"
}

# export_pages KIND PREFIX URL [AZ_REST_ARGS...]: GETs URL with `az rest` into PREFIX.page-1.json,
# then follows @odata.nextLink / nextLink into PREFIX.page-2.json, ... until a page has none.
export_pages() {
  local kind=$1 prefix=$2 url=$3 page=1 next
  shift 3
  while :; do
    az_save "$kind" "$prefix.page-$page.json" '@odata.nextLink' nextLink -- \
      rest --method get --url "$url" "$@" --output json || return 1
    next=$FOUND
    [ -n "$next" ] || return 0
    # The token `az rest --resource` attaches must not go to another host; a link that repeats
    # would never end.
    if [ "$(origin "$next")" != "$(origin "$url")" ] || [ "$next" = "$url" ]; then
      fail "$kind" "page $page of $url has a next link that was not followed: $next"
      return 1
    fi
    url=$next
    page=$((page + 1))
  done
}

# export_graph KIND PREFIX QUERY: Azure Resource Graph rows of the chosen subscriptions into
# PREFIX.page-1.json, ..., following skip_token.
export_graph() {
  local kind=$1 prefix=$2 query=$3 page=1 token="" previous file args
  note_export "$kind" "$prefix.page-*.json"
  while :; do
    file="$prefix.page-$page.json"
    args=(graph query -q "$query" --first 1000)
    [ -z "$token" ] || args+=(--skip-token "$token")
    args+=(--subscriptions "${SUBS[@]}" --output json)
    previous=$token
    az_save "$kind" "$file" skip_token -- "${args[@]}" || return 1
    token=$FOUND
    [ -n "$token" ] || return 0
    if [ "$token" = "$previous" ]; then
      fail "$kind" "page $page of the Resource Graph query repeats its skip token"
      return 1
    fi
    page=$((page + 1))
  done
}

# --- Azure Resource Manager ---------------------------------------------------------------------

TENANT=$(az account show --query tenantId --output tsv 2>"$ERR_FILE") || die "az is not logged in (az account show failed): $(cat "$ERR_FILE")"
TENANT=${TENANT%$'\r'}
[[ $TENANT =~ $GUID_RE ]] || die "az account show printed no tenant id: '$TENANT'"
say "tenant $TENANT, writing $OUT"

note_export arm.subscriptions arm/subscriptions.json
az_save arm.subscriptions arm/subscriptions.json -- account list --all --output json || true

if [ ${#SUBS[@]} -eq 0 ]; then
  ids=$(az account list --query "[?state=='Enabled'].id" --output tsv 2>"$ERR_FILE") || die "az account list failed: $(cat "$ERR_FILE")"
  while IFS= read -r sub; do
    sub=${sub%$'\r'}
    [ -z "$sub" ] || SUBS+=("$sub")
  done <<<"$ids"
  [ ${#SUBS[@]} -gt 0 ] || say "WARNING: no enabled subscription: nothing per subscription is exported"
fi

for sub in ${SUBS[@]+"${SUBS[@]}"}; do
  note_export arm.roleAssignments 'arm/*/role-assignments.json'
  az_save arm.roleAssignments "arm/$sub/role-assignments.json" -- role assignment list --all --subscription "$sub" --output json || true
done
if [ ${#SUBS[@]} -gt 0 ]; then
  # Servers Defender for Servers covers: VMs, Azure Arc-enabled servers and scale-set instances.
  export_graph arm.virtualMachines arm/vms "$VM_QUERY" || true
  export_graph arm.arcMachines arm/arc-machines "$ARC_QUERY" || true
  export_graph arm.scaleSetVms arm/scale-set-vms "$SCALE_SET_VM_QUERY" || true
fi

# --- Microsoft Defender for Cloud (per subscription) -------------------------------------------

for sub in ${SUBS[@]+"${SUBS[@]}"}; do
  for row in pricings:2024-01-01 settings:2022-05-01 assessments:2021-06-01 alerts:2022-01-01; do
    name=${row%%:*}
    note_export "defender.$name" "defender/*/$name.page-*.json"
    export_pages "defender.$name" "defender/$sub/$name" \
      "$ARM/subscriptions/$sub/providers/Microsoft.Security/$name?api-version=${row#*:}" || true
  done
done

# --- Microsoft Defender for Endpoint -----------------------------------------------------------

if [ "$SKIP_MDE" = false ]; then
  for row in machines:mde.machines:machines deviceavinfo:mde.avHealth:deviceavinfo alerts:mde.alerts:alerts \
    vulnerabilities/machinesVulnerabilities:mde.vulnerabilities:vulnerabilities \
    recommendations:mde.recommendations:recommendations Software:mde.software:software \
    exposureScore/ByMachineGroups:mde.deviceGroups:device-groups; do
    IFS=: read -r path kind name <<<"$row"
    note_export "$kind" "mde/$name.page-*.json"
    export_pages "$kind" "mde/$name" "$MDE/api/$path" --resource "$MDE" || true
  done
fi

# --- Microsoft Graph (Defender XDR, Entra) -----------------------------------------------------

# principal_batches: writes the principal ids of the saved Defender XDR role assignment pages,
# each once and sorted, as getByIds request bodies of at most 1000 ids ($WORK/principal-ids.N.json,
# users, groups and service principals only) and prints how many it wrote. Only object ids (GUIDs)
# are sent: Graph refuses a whole request for one malformed id, which would lose every name.
principal_batches() {
  (cd "$OUT" && node -e '
    const fs = require("fs");
    const [prog, work, ...pages] = process.argv.slice(1);
    const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const ids = new Map();
    let skipped = 0;
    for (const page of pages) {
      const doc = JSON.parse(fs.readFileSync(page, "utf8").replace(/^\uFEFF/, ""));
      for (const assignment of Array.isArray(doc.value) ? doc.value : [doc]) {
        for (const id of Array.isArray(assignment?.principalIds) ? assignment.principalIds : []) {
          if (typeof id !== "string" || !GUID.test(id)) skipped++;
          else if (!ids.has(id.toLowerCase())) ids.set(id.toLowerCase(), id);
        }
      }
    }
    if (skipped > 0) process.stderr.write(`${prog}: ${skipped} principal id(s) of the Defender XDR role assignments are not object ids (GUIDs): findings name them by id\n`);
    const sorted = [...ids.keys()].sort().map((k) => ids.get(k));
    let n = 0;
    for (let i = 0; i < sorted.length; i += 1000) {
      n++;
      const body = { ids: sorted.slice(i, i + 1000), types: ["user", "group", "servicePrincipal"] };
      fs.writeFileSync(`${work}/principal-ids.${n}.json`, JSON.stringify(body));
    }
    process.stdout.write(String(n));
  ' -- "$PROG" "$WORK" graph/xdr-role-assignments.page-*.json)
}

# export_principals: the objects of the Defender XDR principals from POST directoryObjects/getByIds
# (Microsoft Graph v1.0; at most 1000 ids a request), one page per batch, for their names in
# findings. Rules read them only to name principals, never for a verdict.
export_principals() {
  local batches i
  case $FAILED in *" xdr.roleAssignments "*) return 0 ;; esac
  if ! batches=$(principal_batches); then
    fail entra.principals "the Defender XDR role assignment pages could not be read for their principal ids"
    return 1
  fi
  if [ "$batches" -eq 0 ]; then
    say "no Defender XDR role assignment names a principal: entra.principals is not exported"
    return 0
  fi
  note_export entra.principals 'graph/principals.page-*.json'
  for ((i = 1; i <= batches; i++)); do
    az_save entra.principals "graph/principals.page-$i.json" -- \
      rest --method post --url "$GRAPH/v1.0/directoryObjects/getByIds" --body "@$WORK/principal-ids.$i.json" --output json || return 1
  done
}

if [ "$SKIP_GRAPH" = false ]; then
  # Single quotes: $expand is part of the URL, not a shell variable.
  for row in v1.0/security/incidents:graph.incidents:incidents v1.0/security/alerts_v2:graph.alerts:alerts \
    'v1.0/roleManagement/directory/roleAssignments?$expand=principal:entra.roleAssignments:entra-role-assignments' \
    beta/roleManagement/defender/roleAssignments:xdr.roleAssignments:xdr-role-assignments \
    beta/roleManagement/defender/roleDefinitions:xdr.roleDefinitions:xdr-role-definitions; do
    IFS=: read -r path kind name <<<"$row"
    note_export "$kind" "graph/$name.page-*.json"
    export_pages "$kind" "graph/$name" "$GRAPH/$path" || true
  done
  export_principals || true
fi

# --- snapshot.yaml -------------------------------------------------------------------------------

# A failed export must not look complete: none of its files may remain to be evaluated, and the
# manifest does not list it, so rules that need it are reported "not evaluated".
for i in ${KINDS[@]+"${!KINDS[@]}"}; do
  # shellcheck disable=SC2086 # the glob is meant to expand
  case $FAILED in *" ${KINDS[$i]} "*) (cd "$OUT" && rm -f ${GLOBS[$i]}) ;; esac
done
failed_list=${FAILED# }
failed_list=${failed_list% }
failed_list=${failed_list// /, }

{
  echo "# Snapshot manifest written by scripts/export-snapshot.sh; lint with: posture-lint lint <this folder>"
  echo "tenantId: \"$TENANT\""
  # When the last export finished: nothing in the folder was observed later, so ages measured
  # from it are never too young (posture-lint refuses data newer than takenAt).
  echo "takenAt: \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\""
  echo "exports:"
  for i in ${KINDS[@]+"${!KINDS[@]}"}; do
    case $FAILED in
      *" ${KINDS[$i]} "*) ;;
      *)
        printf '  - kind: %s\n    files: ["%s"]\n    pages:\n' "${KINDS[$i]}" "${GLOBS[$i]}"
        # shellcheck disable=SC2086 # the glob is meant to expand
        page_records $(cd "$OUT" && LC_ALL=C ls -1 ${GLOBS[$i]})
        ;;
    esac
  done
  [ -z "$failed_list" ] || echo "# Not exported, the API failed: $failed_list"
} >"$OUT/snapshot.yaml"

if [ -z "$failed_list" ]; then
  say "done: $OUT"
  exit 0
fi
say "WARNING: the snapshot in $OUT is partial; left out of snapshot.yaml: $failed_list"
[ "$ALLOW_PARTIAL" = false ] || exit 0
say "exit 1: rerun with --allow-partial to accept a partial snapshot"
exit 1
