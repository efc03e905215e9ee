# frozen_string_literal: true

require_relative "test_helper"
require "open3"

# examples/ruby/tour.rb (the seed's tour, also run by `make demo`) runs and
# shows what it says it shows.
class TestExamples < Minitest::Test
  include ReqcTest

  def test_tour
    lib = File.expand_path("../lib", __dir__)
    out, err, status = Open3.capture3("ruby", "-I#{lib}", File.join(ROOT, "examples", "ruby", "tour.rb"))
    assert status.success?, "tour.rb failed:\n#{out}\n#{err}"
    [
      /^200 OK from .*lang=ruby/,
      /^print_url: .*\/headers$/,
      /^hack_headers: added X-Testing: True$/,
      /^hack_headers removed: no X-Testing sent$/,
      /^  5: Reqc::ConnectError: REQC_E_CONNECT/,
      /^200: received 102400 bytes in \d+ chunks$/,
      /^\d{4}-\d\d-\d\dT\S+\s+GET\s+\S+\/status\/404$/,
      /^Timeout::Error after 0\.\d\d s/,
      /^caught: a hook changed its mind$/,
      /^Reqc::HTTPError: 418 Client Error/,
    ].each { |line| assert_match line, out }
  end
end
