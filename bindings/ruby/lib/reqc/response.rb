# frozen_string_literal: true

require "json"

module Reqc
  # A response. Owned responses (from a send, a batch, a stream) free their C
  # handle at #close or, as a safety net, when garbage collected. Lent ones
  # (a history entry, what a hook sees) have no finalizer: a history entry
  # keeps its final response alive; a hook's view ends when the hook returns.
  # What Ruby keeps is copied out (strings are Ruby strings), read lazily.
  class Response
    TIMINGS = Native.names(:reqc_timing, "REQC_TIMING_")

    # The GC frees an owned response's C handle in one of two ways (#close
    # frees it at once either way, exactly once):
    #
    # - Collected: a Fiddle::Pointer whose free function is
    #   reqc_response_free, which Ruby calls in C when the pointer object is
    #   garbage. No Ruby finalizer: defining one, and running it through
    #   Ruby (an object id, a method call into ruby-ffi), cost more than the
    #   rest of a response's Ruby side. Only for a response whose send ran
    #   while no Ruby block was registered anywhere (Callbacks.quiet_mark):
    #   freeing it then drops nothing that calls back into Ruby, which
    #   code running inside the GC must not do.
    # - Finalized: a Handle (an FFI::Pointer) given to
    #   ObjectSpace.define_finalizer, for every other response (a hook, a log
    #   sink or a body callback may be among what it keeps).
    #
    # Either keeper must not refer to the Response, or the Response would
    # never be collected.
    class Handle < FFI::Pointer # :nodoc:
      # Frees the handle (the finalizer's call passes the object id).
      def call(_id = nil)
        Native.reqc_response_free(self)
      end
    end

    # Wraps an owned reqc_response * (its address, an Integer), freed by
    # #close or the GC. `collected`: its send ran with no Ruby block
    # registered (see Handle above).
    def self.own(address, collected = false)
      return new(address, nil, Collected.response(address)) if collected

      handle = Handle.new(address)
      response = new(address, nil, handle)
      ObjectSpace.define_finalizer(response, handle)
      response
    end

    # Wraps a lent one; `owner` is kept alive while this object is.
    def self.lend(pointer, owner)
      new(pointer.address, owner)
    end

    # `address`: the reqc_response *'s; `keeper`: what frees an owned one
    # (nil for a lent one, whose `owner` keeps it alive).
    def initialize(address, owner, keeper = nil) # :nodoc:
      @address = address
      @owner = owner
      @keeper = keeper
    end

    # (The hot reads pass the handle's address (Native::ByAddress): no
    # FFI::Pointer per response; once closed, #handle raises.)
    def status
      @status ||= Native::ByAddress.reqc_response_status(@address || handle)
    end
    alias code status

    def reason
      @reason ||= Native.reqc_response_reason(handle)
    end

    # The body as received (decoded from gzip etc.), binary.
    def body
      @body ||= begin
        # (PerThread.current, inline: a method call less per response. No
        # callback runs between the call and the read of its length.)
        len = (Thread.current.thread_variable_get(PerThread::KEY) || PerThread.current).scratch
        data = Native::ByAddress.reqc_response_body(@address || handle, len.address)
        n = len.get(:size_t, 0)
        n == 0 ? String.new(encoding: Encoding::BINARY) : data.read_bytes(n)
      end
    end

    # The body as text, decoded to UTF-8 from the declared charset.
    def text
      @text ||= Native.reqc_response_text(handle).force_encoding(Encoding::UTF_8)
    end

    # The body parsed as JSON (JSON.parse options may be given).
    def json(**options)
      JSON.parse(text, **options)
    end

    # The final URL, after redirects.
    def url
      @url ||= Native.reqc_response_url(handle)
    end

    # Where a reqc_header_view's fields lie (its generated layout).
    VIEW = Native::HeaderView
    VIEW_FIELDS = %i[name name_len value value_len].map { |f| VIEW.offset_of(f) }.freeze
    private_constant :VIEW, :VIEW_FIELDS

    def headers
      @headers ||= begin
        h = handle
        count = Native.reqc_response_header_count(h)
        # Every line in one call, as views of the response's own bytes (no
        # C string made for them); each name and value copied out once.
        views = FFI::MemoryPointer.new(VIEW, [count, 1].max)
        Native.reqc_response_header_views(h, 0, views, count, FFI::MemoryPointer.new(:size_t))
        name, name_len, value, value_len = VIEW_FIELDS
        pairs = Array.new(count) do |i|
          at = i * VIEW.size
          [view_bytes(views, at + name, at + name_len), view_bytes(views, at + value, at + value_len)]
        end
        Headers.new(pairs)
      end
    end

    # The first value of header `name` (case-insensitive), or nil.
    def [](name)
      headers[name]
    end

    # The earlier hops of the redirect chain, oldest first, as lent
    # responses (valid while this one is).
    def history
      @history ||= begin
        out = FFI::MemoryPointer.new(:pointer)
        owner = @owner || self
        Array.new(Native.reqc_response_history_count(handle)) do |i|
          Native.reqc_response_history_at(handle, i, out)
          Response.lend(out.read_pointer, owner)
        end
      end
    end

    # Time taken by each phase, in seconds from the start of the transfer
    # (nil when the phase did not happen, e.g. tls on http).
    def timings
      @timings ||= TIMINGS.to_h do |key, name|
        us = Native.reqc_response_timing_us(handle, Native::CONSTANTS.fetch(name))
        [key, us.negative? ? nil : us / 1_000_000.0]
      end
    end

    # The whole send's time, in seconds.
    def elapsed
      Native.reqc_response_elapsed_us(handle) / 1_000_000.0
    end

    def http_version
      Native::FAMILIES[:reqc_http_version].key(Native.reqc_response_http_version(handle))
    end

    def remote_ip
      Native.reqc_response_remote_ip(handle)
    end

    # The request as it was sent (every header merged), lent.
    def request
      @request ||= begin
        pointer = Native.reqc_response_request(handle)
        pointer.null? ? nil : Request.lend(pointer, @owner || self)
      end
    end

    # The cookies this response set.
    def cookies
      out = FFI::MemoryPointer.new(:pointer)
      Array.new(Native.reqc_response_cookie_count(handle)) do |i|
        Native.reqc_response_cookie_at(handle, i, out)
        Cookie.read(out.read_pointer)
      end
    end

    # The statuses of each attempt at this hop ([200] when not retried).
    def attempts
      out = FFI::MemoryPointer.new(:int)
      Array.new(Native.reqc_response_attempt_count(handle)) do |i|
        Native.reqc_response_attempt_at(handle, i, out)
        out.read_int
      end
    end

    # Warnings left by hooks that returned an error.
    def warnings
      out = FFI::MemoryPointer.new(:pointer)
      Array.new(Native.reqc_response_warning_count(handle)) do |i|
        Native.reqc_response_warning_at(handle, i, out)
        out.read_pointer.read_string
      end
    end

    # The URL of the Link header with rel `rel`, or nil.
    def link(rel)
      Native.reqc_response_link(handle, rel.to_s)
    end

    def ok?
      status < 400
    end

    # True for a StreamedResponse (and for what a :response hook sees of
    # one): its body is read from the stream, not held here.
    def streamed?
      Native.reqc_response_is_streamed(handle) != 0
    end

    # Raises Reqc::HTTPError for a 4xx or 5xx status; returns self otherwise.
    def raise_for_status
      return self if status < 400

      kind = status < 500 ? "Client Error" : "Server Error"
      raise HTTPError.new("#{status} #{kind}: #{reason} for url: #{url}", self)
    end

    # Yields the body in chunks of at most `size` bytes.
    def each_chunk(size = 16 * 1024, &block)
      return enum_for(:each_chunk, size) unless block

      data = body
      (0...data.bytesize).step(size) { |at| yield data.byteslice(at, size) }
      self
    end

    # Frees the C response now (an owned one); later reads raise.
    def close
      keeper = @keeper
      @address = @ptr = @keeper = nil
      return unless keeper

      if keeper.is_a?(Handle)
        ObjectSpace.undefine_finalizer(self)
        keeper.call
      else
        keeper.call_free
      end
    end

    def closed?
      @address.nil?
    end

    def inspect
      @address ? "#<Reqc::Response #{status} #{url}>" : "#<Reqc::Response (closed)>"
    end

    # Hands the C handle over to libreqc (a hook's replacement): this object
    # is closed, its handle no longer freed here.
    def detach # :nodoc:
      raise InvalidStateError.new("a lent response cannot be handed over", code: :REQC_E_INVALID_STATE) if @owner

      pointer = handle
      keeper = @keeper
      if keeper.is_a?(Handle)
        ObjectSpace.undefine_finalizer(self)
      elsif keeper
        keeper.free = nil
      end
      @address = @ptr = @keeper = nil
      pointer
    end

    # The reqc_response * as an FFI::Pointer, made on first use (raises once
    # closed or after its hook returned).
    def handle # :nodoc:
      @ptr ||= if @address
                 @keeper.is_a?(Handle) ? @keeper : FFI::Pointer.new(@address)
               else
                 raise InvalidStateError.new("the response is closed (or was lent to a callback that returned)",
                                             code: :REQC_E_INVALID_STATE)
               end
    end

    def invalidate! # :nodoc:
      @address = @ptr = nil
    end

    private

    # The bytes a view's pointer field (at offset `ptr` in `views`) points
    # at, as many as its length field (at `len`) says.
    def view_bytes(views, ptr, len)
      views.get_pointer(ptr).read_bytes(views.get(:size_t, len))
    end
  end

  # One cookie, copied out of libreqc.
  Cookie = Struct.new(:name, :value, :domain, :path, :expires, :secure, :http_only, :include_subdomains,
                      keyword_init: true) do
    def self.read(pointer)
      n = Native
      expires = n.reqc_cookie_expires(pointer)
      new(name: n.reqc_cookie_name(pointer), value: n.reqc_cookie_value(pointer),
          domain: n.reqc_cookie_domain(pointer), path: n.reqc_cookie_path(pointer),
          expires: expires.zero? ? nil : Time.at(expires), secure: n.reqc_cookie_secure(pointer) != 0,
          http_only: n.reqc_cookie_http_only(pointer) != 0,
          include_subdomains: n.reqc_cookie_include_subdomains(pointer) != 0)
    end
  end
end
