# frozen_string_literal: true

module Reqc
  # One blocking send (reqc_send / reqc_session_send) done right for Ruby:
  # GVL released (the function is attached `blocking: true`), cancellable by
  # Thread#raise and Timeout (Interrupts), callback escapes re-raised here,
  # and the response owned at once so that nothing leaks on any path.
  module Sending
    module_function

    # Sends `method url` (Request.new's options) through `session` (or
    # none), on a request made for this send alone.
    def send_new(method, url, options, session)
      request = Request.transient(method, url, **options)
      send(request.handle, session)
    ensure
      request&.close
    end

    # Sends a per-send copy of the Reqc::Request `request` through
    # `session` (or none): the caller's request is left as it was, and a
    # cancel (Thread#raise, Timeout) sticks to the copy alone.
    def send_copy(request, session)
      copy = request.transient_copy
      send(copy.handle, session)
    ensure
      copy&.close
    end

    # Sends the reqc_request * `request` (through `session`, a Session or
    # nil); returns a Reqc::Response or raises the send's Reqc::Error.
    def send(request, session)
      out = FFI::MemoryPointer.new(:pointer)
      response = nil
      cancel = -> { Native.reqc_request_cancel(request) }
      code, escape = Callbacks.capture do
        Interrupts.watch(cancel) do
          session ? Native.reqc_session_send(session.handle, request, out) : Native.reqc_send(request, out)
        end
      end
      pointer = out.read_pointer
      response = Response.own(pointer) unless pointer.null?
      if escape
        response&.close
        Callbacks.reraise(escape)
      end
      return response if code.zero?

      raise failure(code, request)
    ensure
      # An exception raised as the C call returned (Thread#raise, Timeout):
      # free what it may have written.
      unless response || out.nil? || (left = out.read_pointer).null?
        Native.reqc_response_free(left)
      end
    end

    def failure(code, request)
      error = Error.from(code, Native.reqc_request_error(request))
      if error.is_a?(TooManyRedirectsError)
        last = FFI::MemoryPointer.new(:pointer)
        error.response = Response.own(last.read_pointer) if Native.reqc_request_last_response(request, last).zero?
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
