# frozen_string_literal: true

module Reqc
  # What a thread keeps from one send to the next, made once per thread, so
  # that a plain sequential send (Session#get(url) in a loop) allocates as
  # little as possible: scratch memory for the out-parameters of C calls
  # that run no callback, the reqc_request of its last plain send, and the
  # slot where a callback's escape waits for its caller (Callbacks).
  #
  # Per thread (a thread variable), not per fiber: callbacks run in fibers
  # of their own on the sending thread, and may send too. So the scratch is
  # only read right after the C call that wrote it, with no Ruby code in
  # between that could be a callback (Sending reads a send's response
  # pointer only when the send succeeded, so a nested send's leftover there
  # is never taken for the outer send's), and a plain request is taken out
  # of the cache while it is being sent.
  class PerThread
    KEY = :reqc_per_thread

    # This thread's state (made on its first send).
    def self.current
      thread = Thread.current
      thread.thread_variable_get(KEY) || start(thread)
    end

    def self.start(thread)
      state = new
      # The cached request is freed when the thread is collected (or at
      # exit): the finalizer holds the cache, never the thread.
      ObjectSpace.define_finalizer(thread, state.plain)
      thread.thread_variable_set(KEY, state)
      state
    end

    # An FFI::MemoryPointer of one pointer (or size_t).
    attr_reader :scratch

    # The PlainRequest cache.
    attr_reader :plain

    # The first escape of a callback running under Callbacks.capture_escape
    # on this thread (an exception, or an UncaughtThrowError), or nil.
    attr_accessor :escape

    def initialize
      @scratch = FFI::MemoryPointer.new(:pointer)
      @plain = PlainRequest.new
      @escape = nil
    end
  end

  # The reqc_request made for a thread's last plain send (a method and a
  # URL, no options), kept for its next: a loop of Session#get(url) builds
  # one C request, not one per send (reqc_request_new parses and checks the
  # URL; a send only reads its request, so it can be sent again). A send
  # that failed, or that the interrupt watcher cancelled (a cancelled
  # request stays cancelled), is never kept.
  class PlainRequest
    # The kept reqc_request * for `method` and `url` (taken out: the caller
    # owns it until #keep), or nil.
    def take(method, url)
      pointer = @pointer
      return nil unless pointer && @url == url && @method == method

      @pointer = nil
      pointer
    end

    # Keeps `pointer` (a request for `method url` that just sent well) for
    # the next send; the one kept before, if any, is freed (a nested send's,
    # from a callback, that finished first).
    def keep(method, url, pointer)
      old = @pointer
      @pointer = pointer
      # The usual case: the request taken for this very URL comes back, and
      # the frozen copy kept with it still says so (no copy per send).
      unless @url == url && @method == method
        @method = method
        @url = url.frozen? ? url : url.dup.freeze
      end
      Native.reqc_request_free(old) if old
    end

    # [method, url] of the kept request, or nil (for tests).
    def kept # :nodoc:
      [@method, @url] if @pointer
    end

    # Frees the kept request (the thread's finalizer: the argument is its
    # object id).
    def call(_id = nil)
      pointer = @pointer
      @pointer = nil
      Native.reqc_request_free(pointer) if pointer
    end
  end
end
