# frozen_string_literal: true

module Reqc
  # Thread#raise and Timeout.timeout reach a thread blocked in libreqc.
  #
  # A send runs with the GVL released (`blocking: true`); an exception
  # raised into that thread waits until the C call returns, which would be
  # when the send's own timeout fires. So every blocking call registers here
  # what cancels it (reqc_request_cancel or reqc_batch_cancel), and a
  # watcher thread, awake only while some call is in flight, checks every
  # POLL seconds whether a registered thread has an interrupt pending
  # (Thread#pending_interrupt?) and cancels its call: the call returns
  # REQC_E_CANCELLED at once and Ruby raises the pending exception.
  #
  # A signal (Ctrl-C's Interrupt) is not queued on the thread and cannot be
  # seen this way: Ruby runs its handler when the call returns. For that,
  # Reqc.interruptible runs the sends on a helper thread while the caller
  # waits, where a signal is handled at once (docs/ruby.md).
  module Interrupts
    POLL = 0.05

    # The calls in flight: their cancel callable => the thread running them
    # (identity keys: one entry per call, nested calls apart). No lock: one
    # Hash#[]=, #delete or #to_a is atomic under the GVL (it calls no Ruby
    # code), and the watcher reads a snapshot, never iterating the live Hash.
    @inflight = {}.compare_by_identity
    # The watcher waits on this queue while nothing is in flight; a call
    # pushes to it only when the watcher says it is idle, so a send pays one
    # flag test, not a Mutex + ConditionVariable round trip (a stale push
    # just costs the watcher one extra look).
    @wake = Thread::Queue.new
    @idle = false
    @watcher = nil
    # Requests whose call the watcher took (Interrupts.leave said false),
    # handed back by their owner to be freed by the watcher once its
    # cancel is done: the owner may not free one the watcher is about to
    # cancel.
    @to_free = Thread::Queue.new

    class << self
      # Runs the block (one blocking C call), cancellable through `cancel`
      # while it runs: a callable, or the FFI::Pointer of the reqc_request
      # being sent (reqc_request_cancel; no Proc to build per send). It is
      # this call's key: one object per call in flight (identity).
      def watch(cancel)
        enter(cancel)
        begin
          yield
        ensure
          leave(cancel)
        end
      end

      # The two halves of #watch, for a caller that needs to know whether
      # the watcher cancelled its call. `cancel` as in #watch.
      def enter(cancel)
        @inflight[cancel] = Thread.current
        start_watcher unless @watcher&.alive?
        @wake.push(true) if @idle
      end

      # Ends the watch of `cancel`; false when the watcher took it first
      # (and so cancelled it or is about to: a cancelled request stays
      # cancelled, never to be sent again; free it with #free_request).
      def leave(cancel)
        @inflight.delete(cancel) ? true : false
      end

      # Frees the reqc_request * `pointer` whose #leave said false, once the
      # watcher's cancel of it is done (the watcher frees it after its pass).
      def free_request(pointer)
        @to_free.push(pointer)
      end

      private

      def start_watcher
        @idle = false
        # A new thread inherits its creator's interrupt masks, and a send
        # starts the watcher with interrupts deferred (Callbacks.capture):
        # the watcher itself takes them at once, or exit could not kill it.
        @watcher = Thread.new { Thread.handle_interrupt(Object => :immediate) { watch_loop } }
        @watcher.name = "reqc-interrupts"
        @watcher.report_on_exception = false
      end

      def watch_loop
        loop do
          # Idle is said before the look: a call added after the look sees
          # the flag and pushes, so no wake-up is lost.
          @idle = true
          @wake.pop if @inflight.empty?
          @idle = false
          sleep POLL
          @inflight.to_a.each do |cancel, thread|
            next unless thread.pending_interrupt? && @inflight.delete(cancel)

            begin
              cancel.is_a?(FFI::Pointer) ? Native.reqc_request_cancel(cancel) : cancel.call
            rescue StandardError
              nil # the call ended meanwhile: nothing to cancel
            end
          end
          # Every request handed over was taken by this pass or an earlier
          # one, whose cancel is done.
          Native.reqc_request_free(@to_free.pop) until @to_free.empty?
        end
      end
    end
  end
end

module Reqc
  module_function

  # Runs the block on a helper thread while this thread waits for it, so
  # that a signal handled here (Ctrl-C's Interrupt, or any exception raised
  # into this thread) cancels the block's in-flight send or batch at once
  # instead of when it ends; the exception is then raised here. Callbacks
  # and hooks run on the helper thread. Returns the block's value; the
  # block's own exception is raised here too.
  #
  #   Reqc.interruptible { Reqc.get(slow_url) }   # Ctrl-C ends it now
  def interruptible(&block)
    raise ArgumentError, "interruptible needs a block" unless block

    worker = Thread.new(&block)
    worker.report_on_exception = false
    worker.value
  rescue Exception => e # rubocop:disable Lint/RescueException: hand every interrupt to the worker
    if worker&.alive?
      worker.raise(e) # Interrupts' watcher sees it and cancels the send
      begin
        worker.join
      rescue Exception # rubocop:disable Lint/RescueException: the worker ends with e itself
        nil
      end
    end
    raise
  end
end
