# frozen_string_literal: true

require_relative "test_helper"

# An exception, throw or break in any block never unwinds through libreqc:
# the send is aborted and the caller gets it after the C call returns.
class TestCallbacks < Minitest::Test
  include ReqcTest

  class Boom < StandardError; end

  def assert_no_registrations_leak
    3.times { GC.start } # what earlier tests left to the GC goes first
    before = Reqc::Callbacks.live_count
    yield
    GC.start
    # At most as many as before: GC.start may free, meanwhile, what an
    # earlier test left behind (the count then falls); a leak makes it grow.
    assert_operator Reqc::Callbacks.live_count, :<=, before, "a callback registration outlived its handles"
  end

  # An object that owns a session whose hook and log sink capture it (every
  # block holds its self): dropped without #close, the session is still
  # collected and its C side freed (its registrations released). The
  # registry is a GC root, so it holds a session's blocks only weakly.
  class SessionOwner
    attr_reader :lines

    def initialize(url)
      @lines = []
      @session = Reqc::Session.new
      @session.hook(:response) { |_response| @session }
      @session.verbose = ->(line, _level) { @lines << line }
      @status = @session.get(url).status
    end
  end

  def test_a_session_captured_by_its_own_blocks_is_collected
    3.times { GC.start }
    before = Reqc::Callbacks.live_count
    owners = Array.new(3) { SessionOwner.new(url("/get")) }
    assert(owners.all? { |o| !o.lines.empty? }, "the log sink ran")
    assert_equal before + 6, Reqc::Callbacks.live_count
    owners = nil # dropped, for the GC
    10.times do
      GC.start(full_mark: true, immediate_sweep: true)
      break if Reqc::Callbacks.live_count <= before
    end
    assert_operator Reqc::Callbacks.live_count, :<=, before, "a session held by its own hook or log sink was never freed"
  end

  def test_raising_request_hook_each_kind
    %i[args pre_request post_request headers response].each do |kind|
      req = Reqc::Request.new(:get, url("/get"))
      req.hook(kind) { raise Boom, kind.to_s }
      e = assert_raises(Boom) { Reqc.perform(req) }
      assert_equal kind.to_s, e.message
      req.close
    end
  end

  def test_raising_session_hook_aborts_the_send_and_the_session_lives_on
    Reqc::Session.open do |s|
      calls = 0
      s.hook(:response) { calls += 1; raise Boom if calls == 1 }
      assert_raises(Boom) { s.get(url("/redirect/2")) }
      assert_equal 1, calls, "abort: no further hop after the raising hook"
      assert_equal 200, s.get(url("/get")).status
    end
  end

  # A send made inside a hook keeps its escape apart from the outer send's:
  # the inner one's exception is raised by the inner send alone (and may be
  # rescued there), the outer send raises only what its own blocks raised,
  # and nothing is left behind for the next send on the thread.
  def test_escapes_of_nested_sends_stay_apart
    Reqc::Session.open do |s|
      inner = Reqc::Request.new(:get, url("/get"))
      inner.hook(:response) { raise Boom, "inner" }
      outcome = nil
      s.hook(:response) do |_r|
        outcome = begin
          Reqc.perform(inner)
          :no_raise
        rescue Boom => e
          e.message
        end
        nil
      end
      assert_equal 200, s.get(url("/get")).status, "the rescued inner escape did not abort the outer send"
      assert_equal "inner", outcome
      assert_nil Reqc::PerThread.current.escape, "no escape left behind"

      s.hook(:post_request) { Reqc.perform(inner) rescue nil; raise Boom, "outer" } # rubocop:disable Style/RescueModifier
      e = assert_raises(Boom) { s.get(url("/get")) }
      assert_equal "outer", e.message
      assert_nil Reqc::PerThread.current.escape, "no escape left behind"
      assert_equal 200, Reqc.get(url("/get")).status
      inner.close
    end
  end

  def test_throw_and_break_come_back_as_themselves
    got = catch(:found) do
      Reqc::Session.open do |s|
        s.hook(:response) { |r| throw :found, r.status }
        s.get(url("/status/418"))
      end
      :not_thrown
    end
    assert_equal 418, got
    # A break out of a hook block has nowhere to go once #hook returned:
    # it is Ruby's LocalJumpError, raised in the caller, never a jump in C.
    Reqc::Session.open do |s|
      s.hook(:response) { break }
      assert_raises(LocalJumpError) { s.get(url("/get")) }
    end
    assert_raises(UncaughtThrowError) do
      Reqc::Session.open { |s| s.hook(:args) { throw :nobody_catches }; s.get(url("/get")) }
    end
  end

  # The trampoline's Fiber is invisible: a block reads and sets the caller's
  # fiber-local variables (Thread.current[:key]) as a plain block would.
  def test_blocks_see_the_callers_fiber_locals
    Thread.current[:reqc_test_request_id] = "rid-1"
    seen = []
    Reqc::Session.open do |s|
      s.hook(:args) { |r| seen << Thread.current[:reqc_test_request_id]; r.header("X-Trace", Thread.current[:reqc_test_request_id]) }
      s.hook(:response) { Thread.current[:reqc_test_request_id] = "rid-2" }
      s.verbose = ->(_line, _level) { seen << Thread.current[:reqc_test_request_id] }
      r = s.get(url("/headers"))
      assert_equal "rid-1", r.json["headers"].find { |k, _| k.casecmp?("x-trace") }&.last
      assert_equal ["rid-1"], seen.uniq
      s.get(url("/get"))
      assert_equal "rid-2", seen.last, "the next send's log sink sees what the response hook set"
    end
    assert_equal "rid-2", Thread.current[:reqc_test_request_id], "what a hook sets is kept"
    chunks = []
    Reqc::Request.new(:get, url("/bytes/1000")).on_data { chunks << Thread.current[:reqc_test_request_id] }.then { |req| Reqc.perform(req) }
    assert_equal ["rid-2"], chunks.uniq
  ensure
    Thread.current[:reqc_test_request_id] = nil
  end

  # Thread#kill is no exception (no rescue stops it): taken in a block or
  # while a send is in C, it waits until the C call has returned, so
  # libreqc's frames are never skipped (a skipped send kept its session and
  # hook registration alive for good).
  def test_thread_kill_in_a_callback_does_not_skip_libreqc
    assert_no_registrations_leak do
      worker = Thread.new do
        Reqc::Session.open do |s|
          s.hook(:response) { Thread.current.kill }
          s.get(url("/get"))
        end
        :not_killed
      end
      assert_nil worker.value, "the thread was killed"
      started = Queue.new
      worker = Thread.new do
        Reqc::Session.open do |s|
          s.hook(:response) { started << true; sleep 5 }
          s.get(url("/get"))
        end
      end
      started.pop
      t0 = monotonic
      worker.kill.join
      assert_operator monotonic - t0, :<, 1.0, "a kill from another thread ends a sleeping hook at once"
    end
  end

  def test_raising_on_data_and_body_stream
    req = Reqc::Request.new(:get, url("/bytes/100000")).on_data { raise Boom, "data" }
    assert_equal "data", assert_raises(Boom) { Reqc.perform(req) }.message
    req = Reqc::Request.new(:post, url("/post")).body_stream { raise Boom, "read" }
    assert_equal "read", assert_raises(Boom) { Reqc.perform(req) }.message
    # A block that gives too much is an error, not a buffer overflow.
    req = Reqc::Request.new(:post, url("/post")).body_stream { |n| "x" * (n + 1) }
    assert_raises(Reqc::CallbackError) { Reqc.perform(req) }
  end

  def test_raising_log_sink_comes_back_after_the_send
    Reqc::Session.open do |s|
      s.verbose = ->(_line, _level) { raise Boom, "log" }
      assert_equal "log", assert_raises(Boom) { s.get(url("/get")) }.message
    end
  end

  def test_raising_on_complete_cancels_the_batch
    seen = 0
    e = assert_raises(Boom) do
      Reqc.map(Array.new(20) { url("/delay/0") }, concurrency: 2) { seen += 1; raise Boom, "complete" }
    end
    assert_equal "complete", e.message
    assert_equal 1, seen, "no block runs after one raised"
  end

  def test_no_registration_leaks
    assert_no_registrations_leak do
      Reqc::Session.open do |s|
        s.hook(:response) { raise Boom }
        s.verbose = StringIO.new
        3.times { assert_raises(Boom) { s.get(url("/get")) } }
      end
      req = Reqc::Request.new(:get, url("/get")).on_data { nil }
      req.hook(:args) { nil }
      Reqc.perform(req)
      req.close
    end
  end

  # Requests whose hook raises, in a loop: memory stays flat (handles and
  # registrations all released). 2,000 here; docs/ruby.md has 10,000.
  def test_raising_hook_loop_keeps_rss_flat
    Reqc::Session.open do |s|
      s.hook(:response) { raise Boom }
      run = ->(n) { n.times { assert_raises(Boom) { s.get(url("/get")) } } }
      run.call(300) # warm up: lanes, connections, ruby-ffi's caches
      GC.start
      before = rss_kib
      run.call(2000)
      GC.start
      grown = rss_kib - before
      assert_operator grown, :<, 4096, "RSS grew by #{grown} KiB over 2,000 raising sends"
    end
  end
end
