# frozen_string_literal: true

require_relative "test_helper"

# A send with no options (Session#get(url), Reqc.get(url), ...) reuses the
# C request of its thread's last plain send of the same method and URL
# (Reqc::PerThread): never one that failed or was cancelled, never one in
# use by a send further up the stack, and a finished thread's is freed.
class TestPlainSends < Minitest::Test
  include ReqcTest

  def kept
    Reqc::PerThread.current.plain.kept
  end

  def test_a_plain_send_keeps_its_request_for_the_next
    Reqc::Session.open do |s|
      3.times { assert_equal 200, s.get(url("/get?n=1")).status }
      assert_equal ["GET", url("/get?n=1")], kept
      assert_equal "1", s.get(url("/get?n=1")).json["args"]["n"]
      assert_equal "2", s.get(url("/get?n=2")).json["args"]["n"], "another URL, another request"
      assert_equal ["GET", url("/get?n=2")], kept
      assert_equal "POST", s.post(url("/anything")).json["method"]
      assert_equal ["POST", url("/anything")], kept
      # With options: a request of its own, the kept one left alone.
      assert_equal "x", s.get(url("/get"), params: { q: "x" }).json["args"]["q"]
      assert_equal ["POST", url("/anything")], kept
    end
  end

  def test_a_failed_or_cancelled_plain_send_is_not_kept
    Reqc::Session.open do |s|
      slow = url("/delay/0.3")
      assert_equal 200, s.get(url("/get")).status
      assert_raises(Timeout::Error) { Timeout.timeout(0.1) { s.get(slow) } }
      assert_equal ["GET", url("/get")], kept, "the cancelled request was freed, not kept"
      assert_equal 200, s.get(slow).status, "a new request, not the cancelled one"
      assert_equal ["GET", slow], kept
      assert_raises(Timeout::Error) { Timeout.timeout(0.1) { s.get(slow) } }
      assert_nil kept, "the kept request, cancelled, was dropped"
      assert_raises(Reqc::ConnectError) { Reqc.get("http://127.0.0.1:1/") }
      assert_nil kept
      assert_equal 200, s.get(slow).status
    end
  end

  # Cancels racing the end of the send (the watcher may take a call that
  # has just finished): every outcome is a clean one, and later sends work.
  def test_cancels_racing_the_end_of_plain_sends
    Reqc::Session.open do |s|
      racy = url("/delay/0.05")
      outcomes = Array.new(8) do
        Timeout.timeout(0.045 + rand * 0.02) { s.get(racy).status }
      rescue Timeout::Error
        :timeout
      end
      assert_empty outcomes - [200, :timeout]
      assert_equal 200, s.get(racy).status
    end
  end

  # Timeout, Thread#raise and Thread#kill end a plain send promptly, and
  # the session lives on. In a fresh process, with no Ruby block registered
  # anywhere (an optimisation that skipped the interrupt deferral in that
  # case was reverted: a hook registered by another thread between the check
  # and the send could have run without it).
  def test_interrupts_end_a_send_with_no_block_registered
    script = <<~'RUBY'
      require "reqc"
      require "timeout"
      url = ->(path) { ENV.fetch("REQC_TEST_URL") + path }
      now = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
      out = {}
      Reqc::Session.open do |s|
        t0 = now.call
        begin
          Timeout.timeout(0.1) { s.get(url.call("/delay/2")) }
        rescue Timeout::Error
          out[:timeout] = now.call - t0
        end
        [:raise, :kill].each do |how|
          worker = Thread.new { s.get(url.call("/delay/2")) }
          worker.report_on_exception = false
          sleep 0.1
          t0 = now.call
          how == :raise ? worker.raise(Interrupt) : worker.kill
          begin
            worker.join
          rescue Interrupt
            nil
          end
          out[how] = now.call - t0
        end
        out[:after] = s.get(url.call("/get")).status
      end
      print JSON.generate(out)
    RUBY
    lib = File.expand_path("../lib", __dir__)
    result = JSON.parse(IO.popen([RbConfig.ruby, "-I", lib, "-rjson", "-e", script], &:read))
    %w[timeout raise kill].each { |how| assert_operator result[how], :<, 1.0, "#{how} ended the send" }
    assert_equal 200, result["after"]
  end

  def test_plain_sends_nested_in_a_hook
    u = url("/get")
    Reqc::Session.open do |s|
      inner = []
      s.hook(:response) do |_r|
        inner << Reqc.get(u).status if inner.size < 3 # the same method and URL, one level down
        nil
      end
      3.times { assert_equal 200, s.get(u).status }
      assert_equal [200, 200, 200], inner
      assert_equal ["GET", u], kept
    end
  end

  def test_a_finished_threads_kept_request_is_freed
    plains = Array.new(8) { Thread.new { Reqc.get(url("/get")).status && Reqc::PerThread.current.plain }.value }
    assert(plains.all?(&:kept))
    5.times do
      GC.start
      break if plains.none?(&:kept)

      sleep 0.01
    end
    assert_operator plains.count(&:kept), :<=, 2, "the threads' finalizers freed their kept requests " \
                                                  "(a thread or two may stay reachable from the stack)"
  end
end
