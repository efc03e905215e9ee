# frozen_string_literal: true

module Reqc
  # Transfers at once when no `concurrency` is given: libreqc's own default.
  DEFAULT_CONCURRENCY = Native::CONSTANTS.fetch(:REQC_BATCH_DEFAULT_CONCURRENCY)

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
    # `concurrency`: transfers at once (default DEFAULT_CONCURRENCY);
    # `max_per_host`: at once to one host;
    # `timeout`: seconds for the whole run.
    def initialize(session: nil, concurrency: nil, max_per_host: nil, timeout: nil, &on_complete)
      out = FFI::MemoryPointer.new(:pointer)
      @session = session
      Native.check(Native.reqc_batch_new(session&.handle, out)) { session ? Native.reqc_session_error(session.handle) : "reqc_batch_new failed" }
      @ptr = FFI::AutoPointer.new(out.read_pointer, Native::RELEASE[:reqc_batch_free])
      @blocks = []
      @results = []
      @queued = {} # indexes of queued items (fed ones are not kept)
      @on_complete = on_complete
      check(Native.reqc_batch_set_max_concurrency(handle, Integer(concurrency))) if concurrency
      check(Native.reqc_batch_set_timeout_ms(handle, (timeout * 1000).round)) if timeout
      check(Native.reqc_batch_set_max_per_host(handle, Integer(max_per_host))) if max_per_host
      @callback_set = false
      @collected = false
    end

    # Adds a request (copied: nothing is sent yet); the block, if given,
    # gets its result (a Reqc::Response or a Reqc::Error) as it lands.
    # Returns its index.
    def queue(request, &block)
      index = FFI::MemoryPointer.new(:size_t)
      check(Native.reqc_batch_add(handle, request.handle, index))
      i = index.read(:size_t)
      @queued[i] = true
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
      quiet = Callbacks.quiet_mark
      code, escape = Callbacks.capture do
        Interrupts.watch(-> { Native.reqc_batch_cancel(handle) }) { Native.reqc_batch_perform(handle) }
      end
      # No Ruby block registered during the run: #results' responses are
      # the GC's to free in C (see Response.own).
      @collected = quiet && quiet == Callbacks.quiet_mark
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
    # (Queued items only: fed ones went to the blocks.)
    def results
      out = FFI::MemoryPointer.new(:pointer)
      @queued.keys.sort.map { |i| @results[i] ||= take(i, out) }
    end

    def close
      @ptr&.free
      @ptr = nil
    end

    def handle # :nodoc:
      @ptr or raise InvalidStateError.new("the batch is closed", code: :REQC_E_INVALID_STATE)
    end

    # Feeds the batch from `requests` (any Enumerable of Reqc::Requests,
    # URLs or [method, url, options]), pulled one at a time as slots free,
    # after the queued items: at most `concurrency` requests and responses
    # exist at once however many it yields. Its results go only to the
    # blocks (a block is required: given to #queue, Batch.new or here) and
    # are not kept for #results. Returns self; #run runs it.
    def feed(requests, &on_complete)
      @on_complete = on_complete if on_complete
      raise ArgumentError, "feed needs a block for the results (Batch.new { |result, index| })" unless @on_complete

      want_callback
      @source = requests.respond_to?(:to_ary) ? requests.to_ary.each : requests.each_entry
      check(Native.reqc_batch_set_source_callback(handle, SOURCE, Callbacks.register(self), Callbacks::FREE))
      self
    end

    # The source callback's work: the next request's handle, handed over to
    # the batch, or nil at the end.
    def next_request # :nodoc:
      spec = begin
        @source.next
      rescue StopIteration
        return nil
      end
      request = spec.is_a?(Request) ? spec.transient_copy : Reqc.to_request(spec)
      request.hand_over
    end

    # A block raised: no more deliveries, and the run is cancelled.
    def escaped! # :nodoc:
      @escaped = true
      cancel
    end

    def deliver(index, result) # :nodoc:
      @results[index] = result if @queued[index]
      return if @escaped # a block raised: the run is being cancelled, no more calls

      @blocks[index]&.call(result)
      @on_complete&.call(result, index)
    end

    private

    def take(index, out)
      code = Native.reqc_batch_result(handle, index, out)
      return Response.own(out.read_pointer.address, @collected) if code.zero?

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

    # The source: REQC_OK with the next request (or none: the end); an
    # escape (the enumerator or a bad item raised) ends the feed with
    # REQC_E_CALLBACK and is raised by #run.
    SOURCE = FFI::Function.new(:int, [:pointer, :size_t, :pointer]) do |userdata, _index, request_out|
      pointer = Callbacks.guard(:escaped) { Callbacks.fetch(userdata).next_request }
      if pointer.is_a?(Symbol) # :escaped
        Native::CONSTANTS.fetch(:REQC_E_CALLBACK)
      else
        request_out.write_pointer(pointer) if pointer
        0
      end
    end

    # on_complete: the response is ours; an escaping block cancels the run
    # and is raised by #run. All Ruby work is inside the guard.
    COMPLETE = FFI::Function.new(:void, [:pointer, :pointer, :size_t, :int, :pointer]) do |userdata, batch, index, code, response|
      owner = Callbacks.fetch(userdata)
      escaped = Callbacks.guard(:escaped) do
        owner.deliver(index, code.zero? ? Response.own(response.address) : Error.from(code, Native.reqc_batch_item_error(batch, index)))
        nil
      end
      owner.escaped! if escaped == :escaped
    end
  end

  module_function

  # Requests' async map: sends every request (Reqc::Request objects, URLs,
  # or [method, url, options] arrays) at most `concurrency` at a time and
  # returns their results in order: a Reqc::Response, or the Reqc::Error of
  # a failure (one failure never fails the others). A block gets each result
  # and its index as it lands.
  # Requests' imap: like map over any Enumerable (an Enumerator, a lazy
  # stream of URLs...), pulled as slots free, with each result handed to the
  # block (`|result, index|`) as it lands and kept nowhere: memory depends
  # on `concurrency`, not on how many requests there are. Returns nil.
  def each_result(requests, concurrency: DEFAULT_CONCURRENCY, session: nil, timeout: nil, &block)
    raise ArgumentError, "each_result needs a block" unless block

    batch = Batch.new(session: session, concurrency: concurrency, timeout: timeout, &block)
    batch.feed(requests).run
    nil
  ensure
    batch&.close
  end

  def map(requests, concurrency: DEFAULT_CONCURRENCY, session: nil, timeout: nil, on_complete: nil, &block)
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
