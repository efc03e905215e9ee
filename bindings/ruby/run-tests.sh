#!/usr/bin/env bash
# The Ruby binding's suite (`make ruby-tests`): the generated ffi table is
# up to date with include/reqc.json, the minitest suite passes against
# libreqc's test server, and the gem builds and installs offline into a
# temporary GEM_HOME, where a smoke test loads it. Extra arguments go to
# minitest (e.g. -n /map/). Needs `make build` first.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
export LD_LIBRARY_PATH="${REQC_LIB_DIR:-$root/target/release}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

ruby "$here/tools/generate.rb" --check

tests/with-server.sh ruby -w -I"$here/lib" -I"$here/test" \
    -e 'ARGV.shift if ARGV.first == "--"; Dir[File.join(ARGV.shift, "test_*.rb")].sort.each { |f| require f }' \
    -- "$here/test" "$@"

# The gem: built, installed with no network into a fresh GEM_HOME, loaded.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$here" && gem build --silent reqc.gemspec --output "$tmp/reqc.gem" >/dev/null)
GEM_HOME="$tmp/gems" GEM_PATH="$tmp/gems:$(ruby -e 'print Gem.path.join(":")')" \
    gem install --local --no-document --ignore-dependencies "$tmp/reqc.gem" >/dev/null
GEM_HOME="$tmp/gems" GEM_PATH="$tmp/gems:$(ruby -e 'print Gem.path.join(":")')" \
    tests/with-server.sh ruby -e '
        gem "reqc"; require "reqc"
        abort "loaded from #{$LOADED_FEATURES.grep(/reqc\.rb/)}" unless $LOADED_FEATURES.grep(%r{/reqc\.rb\z}).first.start_with?(ENV["GEM_HOME"])
        r = Reqc.get("#{ENV["REQC_TEST_URL"]}/get")
        abort "status #{r.status}" unless r.status == 200
        puts "installed gem #{Gem.loaded_specs["reqc"].version}: GET /get -> #{r.status}"'
