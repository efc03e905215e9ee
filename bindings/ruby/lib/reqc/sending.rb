# frozen_string_literal: true

module Reqc
  # One blocking send (reqc_send / reqc_session_send) done right for Ruby:
  # GVL released (the function is attached `blocking: true`), cancellable by
  # Thread#raise and Timeout (Interrupts), callback escapes re-raised here,
  # and the response owned at once so that nothing leaks on any path.
  module Sending
    module_function

    # Sends `method url` (Request.new's options; `method` upper case)
    # through `session` (or none), on a request made for this send alone,
    # or, with no options, on this thread's kept plain request.
    def send_new(method, url, options, session)
      return send_plain(method, url, session) if options.empty?

      send_owned(Request.transient(method, url, **options).hand_over, session)
    end

    # Sends `method url` with no options (`method` upper case, `url` a
    # String): the sequential hot path. The request is the one this thread
    # kept from its last plain send of the same method and URL, else a new
    # one, kept afterwards if the send succeeds.
    def send_plain(method, url, session)
      state = Thread.current.thread_variable_get(PerThread::KEY) || PerThread.current # (inline: a call less)
      # (A URL given as a URI is converted per send: kept for Strings only.)
      plain = state.plain if url.is_a?(String)
      request = plain&.take(method, url) || Request.create(method, url, state.scratch)
      send_owned(request, session, state, plain, method, url)
    end

    # Sends a per-send copy of the Reqc::Request `request` through
    # `session` (or none): the caller's request is left as it was, and a
    # cancel (Thread#raise, Timeout) sticks to the copy alone.
    def send_copy(request, session)
      send_owned(request.transient_copy.hand_over, session)
    end

    # Sends the reqc_request * `request`, which this call owns: it is freed
    # after the send, or kept in `plain` (a PlainRequest, with its `method`
    # and `url`) when the send succeeded and was not cancelled. Returns a
    # Reqc::Response or raises the send's Reqc::Error.
    def send_owned(request, session, state = PerThread.current, plain = nil, method = nil, url = nil)
      out = state.scratch
      code = nil
      response = nil
      ours = true
      quiet = Callbacks::MADE[0] # Callbacks.quiet_mark, inline
      quiet = nil unless Callbacks::REGISTRY.empty?
      Interrupts.enter(request)
      begin
        escape = Callbacks.capture_escape(state) do
          code = session ? Native.reqc_session_send(session.handle, request, out) : Native.reqc_send(request, out)
        end
      ensure
        ours = Interrupts.leave(request)
      end
      # `out` is written only on success (a callback's own sends may have
      # left theirs there before: never read it otherwise). (`code == 0`,
      # not `code.zero?`: a VM instruction, where Integer#zero? is a method
      # call in Ruby 3.1, and this runs four times per send.)
      if code == 0
        quiet = nil unless Callbacks::REGISTRY.empty? && Callbacks::MADE[0] == quiet
        response = Response.own(out.get(:uintptr_t, 0), quiet)
      end
      if escape
        response&.close
        Callbacks.reraise(escape)
      end
      return response if code == 0

      raise failure(code, request, out)
    ensure
      # An exception raised as the C call returned (Thread#raise, Timeout,
      # deferred until the capture ended): free the response it wrote.
      Native.reqc_response_free(out.read_pointer) if response.nil? && code == 0
      if !ours
        Interrupts.free_request(request)
      elsif plain && code == 0
        plain.keep(method, url, request)
      else
        Native.reqc_request_free(request)
      end
    end

    # The Reqc::Error of a failed send of `request` (a TooManyRedirectsError
    # carries the redirect not followed). `out`: scratch for one pointer.
    def failure(code, request, out = FFI::MemoryPointer.new(:pointer))
      error = Error.from(code, Native.reqc_request_error(request))
      if error.is_a?(TooManyRedirectsError) && Native.reqc_request_last_response(request, out).zero?
        error.response = Response.own(out.read_pointer.address)
      end
      error
    end
  end

  module_function

  # An owned C string's text, the string freed.
  def take_string(pointer)
    return nil if pointer.null?

    text = pointer.read_string.force_encoding(Encoding::UTF_8)
    Native.reqc_string_free(pointer)
    text
  end
end
