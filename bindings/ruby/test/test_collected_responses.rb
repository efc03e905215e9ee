# frozen_string_literal: true

require_relative "test_helper"

# A response whose send ran while no Ruby block was registered anywhere is
# freed by the GC in C (Reqc::Collected, a Fiddle pointer), not by a Ruby
# finalizer. Each test runs in a fresh process: the suite's own process
# keeps registrations (hooks, log sinks) that send responses the other way.
class TestCollectedResponses < Minitest::Test
  include ReqcTest

  # Runs `script` (Ruby, with `url.(path)` and `out`, a Hash it fills) in a
  # fresh process; returns `out` as JSON gave it back. A crash (a double
  # free aborts in glibc) fails the test.
  def in_fresh_process(script)
    lib = File.expand_path("../lib", __dir__)
    prelude = <<~'RUBY'
      require "reqc"
      url = ->(path) { ENV.fetch("REQC_TEST_URL") + path }
      out = {}
      keeper = ->(r) { r.instance_variable_get(:@keeper) }
    RUBY
    text = IO.popen([RbConfig.ruby, "-I", lib, "-rjson", "-e",
                     "#{prelude}#{script}\nprint JSON.generate(out)"], &:read)
    assert $?.success?, "the script failed: #{$?.inspect}"
    JSON.parse(text)
  end

  def test_close_frees_once_and_the_gc_frees_the_dropped
    out = in_fresh_process(<<~'RUBY')
      Reqc::Session.open do |s|
        r = s.get(url.("/get"))
        k = keeper.(r)
        out[:kind] = k.class.name
        r.close
        r.close
        out[:closed_freed] = k.freed?
        out[:raises_after_close] = begin; r.status; false; rescue Reqc::InvalidStateError; true; end
        GC.start # the closed one's pointer: not freed again (glibc would abort)
        dropped = ObjectSpace::WeakMap.new
        20.times { dropped[keeper.(s.get(url.("/get")))] = true }
        3.times { GC.start }
        out[:alive] = dropped.keys.size
      end
      # A hook registered: later sends take the finalizer path.
      Reqc::Session.open do |s|
        s.hook(:response) { nil }
        out[:hooked_kind] = keeper.(s.get(url.("/get"))).class.name
      end
    RUBY
    assert_equal "Fiddle::Pointer", out["kind"]
    assert out["closed_freed"], "close freed the C response"
    assert out["raises_after_close"]
    assert_operator out["alive"], :<=, 5, "dropped responses' pointers were collected (so freed)"
    assert_equal "Reqc::Response::Handle", out["hooked_kind"]
  end

  # Reqc.map with no block: its results are collected too; with one (a
  # registration during the run), finalized.
  def test_map_results
    out = in_fresh_process(<<~'RUBY')
      results = Reqc.map(Array.new(5) { url.("/get") }, concurrency: 2)
      out[:statuses] = results.map(&:status)
      out[:kinds] = results.map { |r| keeper.(r).class.name }.uniq
      results.first.close
      3.times { GC.start }
      with_block = Reqc.map([url.("/get")]) { |_r, _i| nil }
      out[:block_kind] = keeper.(with_block.first).class.name
    RUBY
    assert_equal [200] * 5, out["statuses"]
    assert_equal ["Fiddle::Pointer"], out["kinds"]
    assert_equal "Reqc::Response::Handle", out["block_kind"]
  end

  # Memory stays flat over many unclosed 64 KiB responses: the GC frees
  # them (a leak would hold 1,500 x 64 KiB, about 94 MiB). The GC is run
  # every 100 sends: left to itself it runs by Ruby's own allocations and
  # lets tens of MiB of bodies wait, with or without a leak.
  def test_unclosed_responses_keep_rss_flat
    out = in_fresh_process(<<~'RUBY')
      rss = -> { File.read("/proc/self/status")[/^VmRSS:\s+(\d+)/, 1].to_i }
      Reqc::Session.open do |s|
        u = url.("/bytes/65536")
        200.times { s.get(u).body }
        before = rss.()
        1500.times do |i|
          raise "short" unless s.get(u).body.bytesize == 65536

          GC.start if i % 100 == 99
        end
        out[:grown_kib] = rss.() - before
        out[:kind] = keeper.(s.get(u)).class.name
      end
    RUBY
    assert_equal "Fiddle::Pointer", out["kind"]
    assert_operator out["grown_kib"], :<, 32 * 1024, "RSS grew by #{out['grown_kib']} KiB over 1,500 unclosed 64 KiB responses"
  end

  # A collected response handed to libreqc by a hook (the hook's return
  # value replaces the response) is no longer the GC's to free: libreqc
  # frees it with the final response.
  def test_a_collected_response_handed_over_by_a_hook
    out = in_fresh_process(<<~'RUBY')
      Reqc::Session.open do |s|
        spare = s.get(url.("/status/201"))
        k = keeper.(spare)
        out[:kind] = k.class.name
        s.hook(:response) { |r| r.status == 404 ? spare : nil }
        final = s.get(url.("/status/404"))
        out[:status] = final.status
        out[:spare_closed] = spare.closed?
        out[:spare_freed] = k.freed?
        final.close
        3.times { GC.start } # the spare's pointer, collected, must not free it again
      end
    RUBY
    assert_equal "Fiddle::Pointer", out["kind"]
    assert_equal 201, out["status"]
    assert out["spare_closed"]
    refute out["spare_freed"], "handed over, not freed here"
  end
end
