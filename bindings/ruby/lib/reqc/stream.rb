# frozen_string_literal: true

module Reqc
  # A response whose body is read as it arrives (Requests' stream=True),
  # through libreqc's pull API (reqc_open / reqc_session_open,
  # reqc_stream_read, reqc_stream_free): status, headers, url and history are
  # there at once; #each_chunk reads the body a piece at a time, holding at
  # most one chunk in Ruby and about 64 KiB in libreqc, whatever the body's
  # size. Close it (or use the block form of Reqc.stream / Session#stream):
  # an unread rest closes its connection.
  class StreamedResponse < Response
    CHUNK = 64 * 1024

    # Opens the reqc_request * of `request` (a Request this object then owns
    # and closes) through `session` (or none).
    def self.open(request, session) # :nodoc:
      out = FFI::MemoryPointer.new(:pointer)
      handle = request.handle
      code, escape = Callbacks.capture do
        Interrupts.watch(-> { Native.reqc_request_cancel(handle) }) do
          session ? Native.reqc_session_open(session.handle, handle, out) : Native.reqc_open(handle, out)
        end
      end
      stream = out.read_pointer
      Native.reqc_stream_free(stream) if escape && !stream.null?
      Callbacks.reraise(escape) if escape
      raise Sending.failure(code, handle) unless code.zero?

      new(stream, request, session)
    rescue Exception # rubocop:disable Lint/RescueException: the request is ours on every path
      request.close if stream.nil? || stream.null? || code.nil? || !code.zero?
      raise
    end

    def initialize(stream, request, session = nil) # :nodoc:
      @stream = FFI::AutoPointer.new(stream, Native.method(:reqc_stream_free))
      @request_owned = request
      @session = session # its hooks and log sink run as the body is read
      @finished = false
      super(Native.reqc_stream_response(stream).address, self)
    end

    # Yields the body's pieces (binary Strings of at most `size` bytes) as
    # they arrive, until the end; raises the read's Reqc::Error (timeout,
    # connection lost, body cap, cancel). Returns self.
    def each_chunk(size = CHUNK)
      return enum_for(:each_chunk, size) unless block_given?

      handle = stream
      raise InvalidStateError.new("the body was already read", code: :REQC_E_INVALID_STATE) if @finished

      buffer = FFI::MemoryPointer.new(:uint8, size)
      len = FFI::MemoryPointer.new(:size_t)
      request = @request_owned.handle
      cancel = -> { Native.reqc_request_cancel(request) }
      loop do
        # A read runs callbacks too (the log sink): their escapes and
        # interrupts are handled as a send's.
        code, escape = Callbacks.capture do
          Interrupts.watch(cancel) { Native.reqc_stream_read(handle, buffer, size, len) }
        end
        Callbacks.reraise(escape) if escape
        Native.check(code) { Native.reqc_stream_error(handle) }
        n = len.read(:size_t)
        break if n.zero?

        yield buffer.read_bytes(n)
      end
      @finished = true
      self
    end

    # The rest of the body, read now and kept.
    def body
      @body ||= begin
        data = String.new(encoding: Encoding::BINARY)
        each_chunk { |chunk| data << chunk }
        data
      end
    end

    def text
      @text ||= body.dup.force_encoding(Encoding::UTF_8)
    end

    # Closes the stream (and its connection, unless the body had all
    # arrived). Closing an unread rest runs the log sink (the connection's
    # end): its escape is raised here, as a read's is, unless an exception
    # is already on its way out (the block form's close, in an ensure).
    def close
      stream = @stream
      @stream = nil
      _, escape = Callbacks.capture { stream&.free }
      @request_owned&.close
      @request_owned = nil
      invalidate!
      Callbacks.reraise(escape) if escape && !$!
    end

    def closed?
      @stream.nil?
    end

    # Whether the transfer is over (reqc_stream_is_ended): the whole body
    # arrived (or it failed), so reading the rest never waits on the
    # network. A small body that came with its head is over at once.
    # false once closed.
    def ended?
      !@stream.nil? && Native.reqc_stream_is_ended(@stream) == 1
    end

    private

    def stream
      @stream or raise InvalidStateError.new("the stream is closed", code: :REQC_E_INVALID_STATE)
    end
  end

  module_function

  # Opens `method url` (see Request.new for the options) as a
  # StreamedResponse. With a block: yields it, closes it when the block
  # ends, and returns the block's value.
  def stream(method, url, session: nil, **options, &block)
    response = StreamedResponse.open(Request.new(method.to_s.upcase, url, **options), session)
    return response unless block

    begin
      yield response
    ensure
      response.close
    end
  end
end
