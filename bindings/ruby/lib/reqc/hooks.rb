# frozen_string_literal: true

module Reqc
  # What a hook block sees besides its request or response: the kind, the
  # hop and attempt numbers, the transfer's peer, and (RESPONSE) setters that
  # change the response. Valid only during the hook's call.
  class HookContext
    attr_reader :kind

    def initialize(kind, ctx) # :nodoc:
      @kind = kind
      @ctx = ctx
      @lent = []
    end

    # The request: changeable in :args (a per-send copy) and :pre_request.
    def request
      @request ||= lend(Request, Native.reqc_hook_ctx_request(ctx))
    end

    # The response (:response hooks; nil otherwise).
    def response
      @response ||= lend(Response, Native.reqc_hook_ctx_response(ctx))
    end

    def hop
      Native.reqc_hook_ctx_hop(ctx)
    end

    def attempt
      Native.reqc_hook_ctx_attempt(ctx)
    end

    def remote_ip
      Native.reqc_hook_ctx_remote_ip(ctx)
    end

    def remote_port
      Native.reqc_hook_ctx_remote_port(ctx)
    end

    def connection_reused?
      Native.reqc_hook_ctx_connection_reused(ctx) != 0
    end

    # :response hooks: change what the caller gets.
    def status=(status)
      edit(Native.reqc_hook_ctx_set_response_status(ctx, Integer(status)))
    end

    def set_header(name, value)
      edit(Native.reqc_hook_ctx_set_response_header(ctx, name.to_s, value&.to_s))
    end

    def body=(data)
      bytes = data.to_s.b
      edit(Native.reqc_hook_ctx_set_response_body(ctx, FFI::MemoryPointer.from_string(bytes), bytes.bytesize))
    end

    # Replaces the response with `response` (an owned Reqc::Response, e.g.
    # from sending again), which libreqc then owns: `response` is closed.
    def replace_response(response)
      pointer = response.detach
      code = Native.reqc_hook_ctx_set_response(ctx, pointer)
      return self if code.zero?

      Native.reqc_response_free(pointer)
      raise Error.from(code, Native.reqc_hook_ctx_error(ctx))
    end

    def end! # :nodoc:
      @lent.each(&:invalidate!)
      @ctx = nil
    end

    private

    def ctx
      @ctx or raise InvalidStateError.new("a hook context used after its hook returned", code: :REQC_E_INVALID_STATE)
    end

    def lend(klass, pointer)
      return nil if pointer.null?

      object = klass.lend(pointer, self)
      @lent << object
      object
    end

    def edit(code)
      Native.check(code) { Native.reqc_hook_ctx_error(ctx) }
      self
    end
  end

  # The trampolines of every callback kind and the hook registrations.
  module Hooks
    # :args, :pre_request, :post_request, :headers, :response.
    KINDS = Native.names(:reqc_hook_kind, "REQC_HOOK_KIND_")
    KIND_NAMES = KINDS.to_h { |name, c| [Native::CONSTANTS.fetch(c), name] }.freeze
    CONTINUE = Native::CONSTANTS.fetch(:REQC_HOOK_RESULT_CONTINUE)
    ABORT = Native::CONSTANTS.fetch(:REQC_HOOK_RESULT_ABORT)
    RESPONSE = Native::CONSTANTS.fetch(:REQC_HOOK_KIND_RESPONSE)
    # The kinds whose block gets the response (the others get the request).
    GIVE_RESPONSE = [RESPONSE, Native::CONSTANTS.fetch(:REQC_HOOK_KIND_HEADERS)].freeze

    module_function

    # Registers `block` on `owner` (a Request or Session) through `add`. A
    # session holds its hooks itself (see Callbacks.register); a request's
    # stay held by the registry, for the C copies of a request (a batch
    # item, the request a response keeps) may outlive the Ruby Request.
    def add(owner, add, kind, block)
      raise ArgumentError, "hook needs a block" unless block

      code = KINDS.fetch(kind.to_sym) { raise ArgumentError, "hook kind: #{KINDS.keys.join(', ')}" }
      id = FFI::MemoryPointer.new(:uint64)
      Native.check(Native.public_send(add, owner.handle, Native::CONSTANTS.fetch(code), HOOK,
                                      Callbacks.register(block, owner: owner.is_a?(Session) ? owner : nil),
                                      Callbacks::FREE, id)) { owner.send(:native_error) }
      id.read(:uint64)
    end

    # A hook call: the block gets the response (:headers, :response) or the
    # request, and the context. Its value: :abort ends the send with
    # Reqc::AbortedError (a :headers hook so refuses the body); a
    # Reqc::Response (not the one it got) from a :response hook replaces the
    # response; anything else goes on.
    def run(block, kind, ctx)
      return CONTINUE unless block # its session was collected (Callbacks.fetch)

      context = HookContext.new(KIND_NAMES.fetch(kind), ctx)
      subject = GIVE_RESPONSE.include?(kind) ? context.response : context.request
      result = block.lambda? && block.arity == 1 ? block.call(subject) : block.call(subject, context)
      return ABORT if result == :abort

      context.replace_response(result) if kind == RESPONSE && result.is_a?(Response) && !result.equal?(subject)
      CONTINUE
    ensure
      context&.end!
    end

    HOOK = FFI::Function.new(:int, [:pointer, :int, :pointer]) do |userdata, kind, ctx|
      Callbacks.guard(ABORT) { run(Callbacks.fetch(userdata), kind, ctx) }
    end

    # on_data: non-zero stops the download (REQC_E_ABORTED); so does a
    # block returning :abort.
    DATA = FFI::Function.new(:int, [:pointer, :pointer, :size_t]) do |userdata, data, len|
      Callbacks.guard(1) do
        Callbacks.fetch(userdata).call(data.read_bytes(len)) == :abort ? 1 : 0
      end
    end

    # body_stream: the block returns the next piece (nil or "" at the end).
    READ = FFI::Function.new(:int, [:pointer, :pointer, :size_t, :pointer]) do |userdata, buf, capacity, written|
      Callbacks.guard(1) do
        piece = Callbacks.fetch(userdata).call(capacity)
        bytes = piece.nil? ? "" : piece.to_s.b
        raise CallbackError.new("body_stream gave #{bytes.bytesize} bytes for #{capacity}", code: :REQC_E_CALLBACK) if bytes.bytesize > capacity

        buf.put_bytes(0, bytes) unless bytes.empty?
        written.write(:size_t, bytes.bytesize)
        0
      end
    end
  end
end
