# frozen_string_literal: true

require_relative "test_helper"

# The GVL is released during transfers; Thread#raise, Timeout.timeout and
# another thread's cancel end an in-flight send or batch promptly.
class TestThreads < Minitest::Test
  include ReqcTest

  def test_other_threads_run_during_a_send
    ticks = 0
    ticker = Thread.new { loop { ticks += 1; sleep 0.01 } }
    Reqc.get(url("/delay/1"))
    ticker.kill
    assert_operator ticks, :>, 20, "the ticker thread ran #{ticks} times during a 1 s send"
  end

  def test_sends_from_many_threads_at_once
    Reqc::Session.open do |s|
      t0 = monotonic
      statuses = Array.new(8) { Thread.new { s.get(url("/delay/1")).status } }.map(&:value)
      assert_equal [200] * 8, statuses
      assert_operator monotonic - t0, :<, 3, "eight 1 s sends on eight threads ran in parallel"
    end
  end

  def test_timeout_cancels_the_send_promptly
    t0 = monotonic
    assert_raises(Timeout::Error) { Timeout.timeout(0.2) { Reqc.get(url("/delay/2")) } }
    assert_operator monotonic - t0, :<, 1.0
    # The same through a session and a user's request, which stays usable.
    Reqc::Session.open do |s|
      req = Reqc::Request.new(:get, url("/delay/2"))
      t0 = monotonic
      assert_raises(Timeout::Error) { Timeout.timeout(0.2) { s.perform(req) } }
      assert_operator monotonic - t0, :<, 1.0
      req.url = url("/get")
      assert_equal 200, s.perform(req).status, "the cancel stuck to the per-send copy only"
    end
  end

  def test_thread_raise_cancels_the_send
    started = Queue.new
    worker = Thread.new do
      started << true
      Reqc.get(url("/delay/2"))
      :finished
    rescue Interrupt
      :interrupted
    end
    started.pop
    sleep 0.1
    t0 = monotonic
    worker.raise(Interrupt)
    assert_equal :interrupted, worker.value
    assert_operator monotonic - t0, :<, 1.0
  end

  def test_interruptible_lets_a_signal_cancel_the_send
    t0 = monotonic
    killer = Thread.new { sleep 0.2; Process.kill(:INT, Process.pid) }
    assert_raises(Interrupt) { Reqc.interruptible { Reqc.get(url("/delay/2")) } }
    assert_operator monotonic - t0, :<, 1.0
    killer.join
    assert_equal 200, Reqc.interruptible { Reqc.get(url("/get")).status }
    assert_raises(Reqc::ConnectError) { Reqc.interruptible { Reqc.get("http://127.0.0.1:1/") } }
  end

  def test_batch_cancel_from_another_thread
    batch = Reqc::Batch.new(concurrency: 4)
    8.times { batch.queue(Reqc::Request.new(:get, url("/delay/2"))) }
    canceller = Thread.new { sleep 0.2; batch.cancel }
    t0 = monotonic
    batch.run
    canceller.join
    assert_operator monotonic - t0, :<, 1.0
    assert(batch.results.all? { |r| r.is_a?(Reqc::CancelledError) })
  ensure
    batch&.close
  end

  def test_timeout_cancels_a_batch
    t0 = monotonic
    assert_raises(Timeout::Error) do
      Timeout.timeout(0.2) { Reqc.map(Array.new(4) { url("/delay/2") }) }
    end
    assert_operator monotonic - t0, :<, 1.0
  end
end
