#!/usr/bin/env bash
# The NuGet package as a user gets it: checks the .nupkg's metadata and its .snupkg, then installs it from a local
# feed into a fresh console app whose Program.cs is README.md's "Using it in ML.NET" program, verbatim, and runs it
# (it trains on the yelp sentences, saves, reloads and predicts); then builds the package readme's example.
#   build/package-test.sh [FOLDER]   FOLDER holds Lstm.MLNet.<version>.nupkg (default: packs into a temporary folder)
# The restore uses the configured NuGet sources for the package's dependencies (Microsoft.ML...), plus the local feed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
fail() { echo "package-test: $*" >&2; exit 1; }
command -v unzip >/dev/null 2>&1 || fail "unzip is required (Debian: apt-get install unzip) to read the package"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed=${1:-}
if [ -z "$feed" ]; then
  feed="$work/feed"
  dotnet pack Lstm.MLNet/Lstm.MLNet.csproj -c Release -o "$feed" --nologo -v quiet
fi
feed=$(cd "$feed" && pwd)
packages=("$feed"/Lstm.MLNet.[0-9]*.nupkg)
[ -f "${packages[0]}" ] || fail "no Lstm.MLNet.<version>.nupkg in $feed"
nupkg=${packages[0]}
version=$(basename "$nupkg" .nupkg); version=${version#Lstm.MLNet.}

# Metadata: what nuget.org and an IDE show, for each package of the repository in the folder.
check_package() {  # ID DEPENDENCY
  local id=$1 dependency=$2 package nuspec entries
  package="$feed/$id.$version.nupkg"
  [ -f "$package" ] || fail "no $id.$version.nupkg in $feed"
  nuspec=$(unzip -p "$package" "$id.nuspec")
  for field in '<description>' '<authors>' '<license type="expression">MIT</license>' '<readme>PACKAGE.md</readme>' \
               '<repository type="git" url="https://' '<projectUrl>' '<tags>' '<releaseNotes>' "<dependency id=\"$dependency\""; do
    grep -qF "$field" <<<"$nuspec" || fail "$id's nuspec lacks $field"
  done
  grep -qF '<description>Package Description</description>' <<<"$nuspec" && fail "$id's description is the SDK's placeholder"
  entries=$(unzip -Z1 "$package")
  for entry in PACKAGE.md LICENSE "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    grep -qxF "$entry" <<<"$entries" || fail "$id's package lacks $entry"
  done
  [ -f "$feed/$id.$version.snupkg" ] || fail "no symbol package $id.$version.snupkg beside the package"
  # Listed into a variable first: grep -q stops reading at its match, and unzip, which writes each name unbuffered,
  # would die of SIGPIPE on the next one, failing the pipeline under pipefail.
  entries=$(unzip -Z1 "$feed/$id.$version.snupkg")
  grep -qxF "lib/net10.0/$id.pdb" <<<"$entries" || fail "$id's symbol package has no PDB"
}
check_package Lstm.MLNet Microsoft.ML
# The cluster-sweep package, when packed beside it (.ci/run packs both): metadata only; its behaviour is tested on a
# three-silo TestingHost cluster (Lstm.MLNet.Tests/Orleans/) and by Lstm.MLNet.Orleans.Sample.
orleans_checked=""
if ls "$feed"/Lstm.MLNet.Orleans.*.nupkg >/dev/null 2>&1; then
  check_package Lstm.MLNet.Orleans Lstm.MLNet
  orleans_checked=" Lstm.MLNet.Orleans $version's metadata checked."
fi

# A fresh console app, the package from the local feed (NuGet's cache may hold an older build of this version: drop it).
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/lstm.mlnet/$version"
app="$work/app"
dotnet new console --name PackageSmoke --output "$app" --framework net10.0 >/dev/null
cat >"$app/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="lstm-local" value="$feed" />
  </packageSources>
</configuration>
CONFIG
(cd "$app" && dotnet add package Lstm.MLNet --version "$version" >/dev/null)
# README's program, exactly as written there: the first csharp block after its "## Using it in ML.NET" heading.
awk '/^## Using it in ML.NET/ { section = 1 } section && /^```csharp/ { inside = 1; next } inside && /^```/ { exit } inside { print }' \
  "$repo/README.md" >"$app/Program.cs"
grep -q 'CreatePredictionEngine' "$app/Program.cs" || fail "README's program was not found"
cp "$repo/Lstm.MLNet.Samples/Data/sentiment-sentences/yelp_labelled.txt" "$app/"
output=$(cd "$app" && dotnet run -c Release 2>&1) || { echo "$output" >&2; fail "README's program failed against the package"; }
echo "$output" | tail -n 3
grep -qE '^accuracy [0-9.]+ ?%; positive: (True|False) \(p = [01]\.[0-9]{3}\)$' <<<"$output" || fail "README's program printed no prediction"
# The package readme's example (what nuget.org shows) must compile against the package too.
awk '/^```csharp/ { inside = 1; next } inside && /^```/ { exit } inside { print }' "$repo/Lstm.MLNet/PACKAGE.md" >"$app/Program.cs"
grep -q 'CreatePredictionEngine' "$app/Program.cs" || fail "PACKAGE.md's example was not found"
(cd "$app" && dotnet build -c Release --nologo -v quiet >/dev/null) || fail "PACKAGE.md's example does not compile against the package"
echo "package-test: Lstm.MLNet $version installs from a local feed; README's program built and predicted; PACKAGE.md's example compiles.$orleans_checked"
