# frozen_string_literal: true

require_relative "test_helper"
require "net/http"

# Streaming through libreqc's pull API (reqc_open / reqc_session_open,
# reqc_stream_read, reqc_stream_free): Reqc.stream, `stream: true`,
# Session#stream and StreamedResponse#each_chunk. The bodies come from the
# test server's /reqc/pattern (byte i is i % 251).
class TestStreaming < Minitest::Test
  include ReqcTest

  def pattern(from, size)
    Array.new(size) { |i| (from + i) % 251 }.pack("C*")
  end

  def test_head_first_then_the_body_in_chunks
    Reqc.stream(:get, url("/reqc/pattern?bytes=300000&hold=ruby-head")) do |r|
      # The head is in while the server still holds the whole body.
      assert_equal 200, r.status
      assert_equal "300000", r.headers["content-length"]
      assert r.streamed?
      Net::HTTP.get(URI(url("/reqc/release?key=ruby-head")))
      at = 0
      r.each_chunk(16_384) do |chunk|
        assert_operator chunk.bytesize, :<=, 16_384
        assert_equal pattern(at, chunk.bytesize), chunk, "at #{at}"
        at += chunk.bytesize
      end
      assert_equal 300_000, at
      assert_raises(Reqc::InvalidStateError) { r.each_chunk { nil } }
    end
  end

  def test_ended_once_the_body_is_all_in
    # A HEAD has no body: over with its head.
    Reqc.stream(:head, url("/reqc/pattern?bytes=1000")) { |r| assert r.ended? }
    r = Reqc.stream(:get, url("/reqc/pattern?bytes=4000000"))
    refute r.ended?, "4 MB cannot be all in at the open (libreqc pauses for the reader)"
    assert_equal 4_000_000, r.body.bytesize
    assert r.ended?
    r.close
    refute r.ended?
  end

  # Neither libreqc nor the gem holds the body: 32 MiB read by a consumer
  # that keeps nothing leaves RSS where it was. (The GC runs every MiB so
  # that the dropped chunks, garbage Ruby would collect at its own pace, do
  # not hide what is held.)
  def test_a_big_body_keeps_memory_flat
    GC.start
    before = rss_kib
    total = 0
    Reqc.get(url("/reqc/pattern?bytes=#{32 << 20}&chunked=1"), stream: true) do |r|
      r.each_chunk do |chunk|
        total += chunk.bytesize
        GC.start if (total % (1 << 20)) < chunk.bytesize
      end
    end
    assert_equal 32 << 20, total
    grown = rss_kib - before
    assert_operator grown, :<, 8 * 1024, "RSS grew by #{grown} KiB reading 32 MiB"
  end

  def test_session_redirect_gzip_body_and_hooks
    Reqc::Session.open do |s|
      streamed = []
      s.hook(:response) { |r| streamed << r.streamed? }
      s.get(url("/cookies/set?c=1"))
      got = s.stream(:get, url("/reqc/pattern?bytes=5000&gzip=1&redirect=1")) do |r|
        assert_equal [302], r.history.map(&:status)
        r.body
      end
      assert_equal pattern(0, 5000), got
      assert_equal [false, false, false, true], streamed, "the final hop's RESPONSE hook sees a streamed response"
      assert_equal 10, s.get(url("/reqc/pattern?bytes=10"), stream: true) { |r| r.body.bytesize }
    end
  end

  def test_failures_while_reading
    e = assert_raises(Reqc::RecvError) do
      Reqc.stream(:get, url("/reqc/pattern?bytes=200000&cut=1")) { |r| r.each_chunk { nil } }
    end
    assert_match(/REQC_E_RECV/, e.message)
    assert_raises(Reqc::TimeoutError) do
      Reqc.stream(:get, url("/reqc/pattern?bytes=200000&stall_ms=2000"), read_timeout: 0.2) { |r| r.each_chunk { nil } }
    end
    assert_raises(Reqc::ConnectError) { Reqc.stream(:get, "http://127.0.0.1:1/") }
    assert_raises(Reqc::BodyTooLargeError) do
      Reqc.stream(:get, url("/reqc/pattern?bytes=200000"), max_response_bytes: 1000) { |r| r.each_chunk { nil } }
    end
  end

  def test_timeout_cancels_a_blocked_read_and_close_is_prompt
    Reqc.stream(:get, url("/reqc/pattern?bytes=200000&stall_ms=2000")) do |r|
      t0 = monotonic
      assert_raises(Timeout::Error) { Timeout.timeout(0.3) { r.each_chunk { nil } } }
      assert_operator monotonic - t0, :<, 1.0
    end
    r = Reqc.stream(:get, url("/reqc/pattern?bytes=200000&stall_ms=2000"))
    r.each_chunk.first
    t0 = monotonic
    r.close
    assert_operator monotonic - t0, :<, 0.5
    assert r.closed?
    assert_raises(Reqc::InvalidStateError) { r.each_chunk { nil } }
  end

  # A read runs the session's log sink: a sink raising then is raised by
  # #each_chunk, as by a send (it was kept nowhere and lost). The body is
  # far larger than what libreqc takes in before the first read (about
  # 128 KiB; /bytes stops at 100 KiB), so the reads go to the network.
  def test_a_log_sink_raising_during_a_read_is_raised_there
    Reqc::Session.open do |s|
      reading = false
      s.log_level = :wire
      s.verbose = ->(_line, _level) { raise ArgumentError, "sink" if reading }
      s.stream(:get, url("/reqc/pattern?bytes=2000000")) do |r|
        reading = true
        assert_equal "sink", assert_raises(ArgumentError) { r.each_chunk { nil } }.message
        reading = false
      end
      assert_equal 200, s.get(url("/get")).status
    end
    assert_nil Reqc::PerThread.current.escape, "no escape left behind"
  end

  # Closing an unread stream ends its connection, which the log sink sees:
  # a sink raising then is raised by #close (kept nowhere before).
  def test_a_log_sink_raising_as_a_stream_closes_is_raised_by_close
    Reqc::Session.open do |s|
      closing = false
      s.log_level = :wire
      s.verbose = ->(_line, _level) { raise ArgumentError, "sink" if closing }
      r = s.stream(:get, url("/reqc/pattern?bytes=2000000"))
      r.each_chunk.first
      closing = true
      assert_equal "sink", assert_raises(ArgumentError) { r.close }.message
      closing = false
      assert r.closed?
      assert_equal 200, s.get(url("/get")).status
    end
    assert_nil Reqc::PerThread.current.escape, "no escape left behind"
  end

  # A stream holds its session: a session dropped once its stream is open
  # (Reqc::Session.new.stream(...)) is not collected under the reads, and
  # its log sink, held by the session, still hears the wire as the body
  # comes in (it would be collected with the session, and the lines lost).
  def test_a_stream_keeps_its_session_and_its_log_sink
    lines = []
    r = open_with_a_dropped_session(lines)
    5.times { GC.start(full_mark: true, immediate_sweep: true) }
    before = lines.size
    assert_equal 2_000_000, r.body.bytesize
    assert_operator lines.size, :>, before, "the log sink heard nothing while the body was read"
  ensure
    r&.close
  end

  def open_with_a_dropped_session(lines)
    s = Reqc::Session.new
    s.log_level = :wire
    s.verbose = ->(line, _level) { lines << line }
    s.stream(:get, url("/reqc/pattern?bytes=2000000"))
  end

  def test_raising_in_the_block_closes_the_stream
    kept = nil
    assert_raises(ArgumentError) do
      Reqc.stream(:get, url("/reqc/pattern?bytes=100000")) { |r| kept = r; r.each_chunk { raise ArgumentError } }
    end
    assert kept.closed?
  end
end
