# frozen_string_literal: true

module Reqc
  # Many requests at once on one curl multi handle (Typhoeus' Hydra):
  #
  #   batch = Reqc::Batch.new(concurrency: 64)
  #   batch.queue(Reqc::Request.new(:get, url)) { |result| ... }  # Hydra#queue + on_complete
  #   batch.run                                                   # Hydra#run
  #   batch.results             # Reqc::Response or Reqc::Error per request, in order
  #
  # Every hook and block runs on the thread calling #run. #cancel (from any
  # thread) ends the run; Thread#raise and Timeout on the running thread do
  # too.
  class Batch
    def initialize(session: nil, concurrency: nil, timeout: nil, &on_complete)
      out = FFI::MemoryPointer.new(:pointer)
      @session = session
      Native.check(Native.reqc_batch_new(session&.handle, out)) { session ? Native.reqc_session_error(session.handle) : "reqc_batch_new failed" }
      @ptr = FFI::AutoPointer.new(out.read_pointer, Native::RELEASE[:reqc_batch_free])
      @blocks = []
      @results = []
      @on_complete = on_complete
      check(Native.reqc_batch_set_max_concurrency(handle, Integer(concurrency))) if concurrency
      check(Native.reqc_batch_set_timeout_ms(handle, (timeout * 1000).round)) if timeout
      @callback_set = false
    end

    # Adds a request (copied: nothing is sent yet); the block, if given,
    # gets its result (a Reqc::Response or a Reqc::Error) as it lands.
    # Returns its index.
    def queue(request, &block)
      index = FFI::MemoryPointer.new(:size_t)
      check(Native.reqc_batch_add(handle, request.handle, index))
      i = index.read(:size_t)
      @blocks[i] = block if block
      want_callback if block || @on_complete
      i
    end
    alias add queue

    def size
      Native.reqc_batch_count(handle)
    end

    # Runs every queued request; returns self when all are done.
    def run
      code, escape = Callbacks.capture do
        Interrupts.watch(-> { Native.reqc_batch_cancel(handle) }) { Native.reqc_batch_perform(handle) }
      end
      Callbacks.reraise(escape) if escape
      check(code)
      self
    end

    # Cancels the run (from any thread): unfinished items end with
    # Reqc::CancelledError.
    def cancel
      Native.reqc_batch_cancel(handle)
      self
    end

    # Each request's result, in order: a Reqc::Response, or the Reqc::Error
    # of its failure (not raised).
    def results
      out = FFI::MemoryPointer.new(:pointer)
      Array.new(size) { |i| @results[i] ||= take(i, out) }
    end

    def close
      @ptr&.free
      @ptr = nil
    end

    def handle # :nodoc:
      @ptr or raise InvalidStateError.new("the batch is closed", code: :REQC_E_INVALID_STATE)
    end

    def deliver(index, result) # :nodoc:
      @results[index] = result
      return if @escaped # a block raised: the run is being cancelled, no more calls

      @blocks[index]&.call(result)
      @on_complete&.call(result, index)
    end

    private

    def take(index, out)
      code = Native.reqc_batch_result(handle, index, out)
      return Response.own(out.read_pointer) if code.zero?

      Error.from(code, Native.reqc_batch_item_error(handle, index))
    end

    def want_callback
      return if @callback_set

      check(Native.reqc_batch_set_complete_callback(handle, COMPLETE, Callbacks.register(self), Callbacks::FREE))
      @callback_set = true
    end

    def check(code)
      Native.check(code) { Native.reqc_batch_error(handle) }
    end

    # on_complete: the response is ours; an escaping block cancels the run
    # and is raised by #run.
    COMPLETE = FFI::Function.new(:void, [:pointer, :pointer, :size_t, :int, :pointer]) do |userdata, batch, index, code, response|
      result = code.zero? ? Response.own(response) : Error.from(code, Native.reqc_batch_item_error(batch, index))
      owner = Callbacks.fetch(userdata)
      escaped = Callbacks.guard(:escaped) do
        owner.deliver(index, result)
        nil
      end
      if escaped == :escaped
        owner.instance_variable_set(:@escaped, true)
        Native.reqc_batch_cancel(batch)
      end
    end
  end

  module_function

  # Requests' async map: sends every request (Reqc::Request objects, URLs,
  # or [method, url, options] arrays) at most `concurrency` at a time and
  # returns their results in order: a Reqc::Response, or the Reqc::Error of
  # a failure (one failure never fails the others). A block gets each result
  # and its index as it lands.
  def map(requests, concurrency: 64, session: nil, timeout: nil, on_complete: nil, &block)
    on_complete ||= block
    batch = Batch.new(session: session, concurrency: concurrency, timeout: timeout, &on_complete)
    requests.each do |spec|
      request = to_request(spec)
      batch.queue(request)
    ensure
      request.close if request && !spec.is_a?(Request)
    end
    batch.run.results
  ensure
    batch&.close
  end

  # A request for Reqc.map: the caller's own, or one made for the batch
  # (which copies it at once, so it needs no finalizer).
  def to_request(spec)
    case spec
    when Request then spec
    when String then Request.transient("GET", spec)
    when Array
      method, url, options = spec
      Request.transient(method, url, **(options || {}))
    else raise ArgumentError, "map: a Reqc::Request, a URL or [method, url, options], not #{spec.class}"
    end
  end
end
