# frozen_string_literal: true

# The suite runs against libreqc's test server (tests/with-server.sh sets
# REQC_TEST_URL, REQC_TEST_URL2 and REQC_TEST_CONTROL); see ../run-tests.sh.
$LOAD_PATH.unshift File.expand_path("../lib", __dir__) unless ENV["REQC_TEST_INSTALLED_GEM"]
require "reqc"
require "minitest/autorun"
require "json"
require "stringio"
require "timeout"
require "tmpdir"

module ReqcTest
  ROOT = File.expand_path("../../..", __dir__)

  def base
    ENV.fetch("REQC_TEST_URL") { skip "REQC_TEST_URL is not set: run through bindings/ruby/run-tests.sh" }
  end

  def base2
    ENV.fetch("REQC_TEST_URL2")
  end

  def url(path)
    "#{base}#{path}"
  end

  # Peak-free resident set size of this process, in KiB.
  def rss_kib
    File.read("/proc/self/status")[/^VmRSS:\s+(\d+)/, 1].to_i
  end

  def monotonic
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end
end
